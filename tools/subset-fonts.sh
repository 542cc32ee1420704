#!/bin/sh
# Subsets KERN UX's Fira Sans to the letters German and English text needs (decision 38) and writes the results
# over src/Web/wwwroot/kern/fonts. Run by hand when KERN is updated, never at build or run time:
#
#   npm pack @kern-ux/native@VERSION && tar xzf kern-ux-native-VERSION.tgz
#   tools/subset-fonts.sh package/dist/fonts/fira-sans
#
# Needs fontTools with Brotli (Debian: apt-get install python3-fonttools python3-brotli).
set -eu
source_dir=${1:?usage: tools/subset-fonts.sh DIR-WITH-KERN-FIRA-SANS-WOFF2}
target_dir=$(dirname "$0")/../src/Web/wwwroot/kern/fonts
# Basic Latin, Latin-1 Supplement, Latin Extended-A; dashes, quotes (German „ “ ‚ ‘ and English ones), dagger,
# bullet, ellipsis, per mille, guillemets; euro, trade mark, minus.
unicodes="U+0020-007E,U+00A0-017F,U+2010-2014,U+2018-201A,U+201C-201E,U+2020-2022,U+2026,U+2030,U+2039-203A,U+20AC,U+2122,U+2212"
for weight in Regular Medium SemiBold Bold; do
  # Without hinting instructions: a third of each file, which today's browsers render well without.
  /usr/bin/python3 -m fontTools.subset "$source_dir/FiraSans-$weight.woff2" --unicodes="$unicodes" --no-hinting \
    --flavor=woff2 --output-file="$target_dir/FiraSans-$weight.woff2"
done
ls -l "$target_dir"
