using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Benchmarks;

/// <summary>
/// Form data as a city's citizens send it: every field of a service's form filled the way its type and name ask
/// (names, addresses in Jena, number plates, e-mail addresses, dates within the definition's bounds, choices, lists),
/// optional fields sometimes left out, fields that do not apply to the answers left out. Starts from the engine's own
/// example of the service (<c>GET /api/services/{id}/example</c>) and varies every value it knows how to vary.
/// </summary>
public sealed class CitizenForms(int seed)
{
    private static readonly string[] FemaleNames =
        ["Anna", "Emma", "Mia", "Sophie", "Lena", "Hannah", "Lea", "Marie", "Clara", "Ida", "Greta", "Frieda", "Sabine", "Petra", "Claudia",
         "Katrin", "Susanne", "Anja", "Jana", "Ulrike", "Heike", "Birgit", "Monika", "Renate", "Ingrid", "Leonie", "Johanna", "Charlotte",
         "Ayşe", "Elif", "Olena", "Zofia", "Nguyen Thi", "Fatima", "Maria José", "Anne-Kathrin", "Lea-Sophie"];
    private static readonly string[] MaleNames =
        ["Ben", "Paul", "Leon", "Jonas", "Felix", "Elias", "Noah", "Luis", "Max", "Emil", "Anton", "Theo", "Thomas", "Michael", "Andreas",
         "Stefan", "Frank", "Jens", "Matthias", "Uwe", "Jürgen", "Klaus", "Dieter", "Hans-Peter", "Karl-Heinz", "Tobias", "Sebastian",
         "Mehmet", "Oleksandr", "Piotr", "Ahmad", "Minh", "Jörg", "Björn", "Lukas", "Finn"];
    private static readonly string[] LastNames =
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch",
         "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
         "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann",
         "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel",
         "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht",
         "Yılmaz", "Kaya", "Nowak", "Kowalski", "Nguyen", "Popescu", "Kovalenko", "Al-Hassan", "Müller-Lüdenscheidt", "von Bülow",
         "Schmidt-Rottluff", "Großmann", "Dietrich", "Ebert", "Thiele", "Otto", "Seidel", "Heinrich", "Brandt", "Haas", "Schreiber"];
    private static readonly string[] JenaStreets =
        ["Löbdergraben", "Johannisstraße", "Westbahnhofstraße", "Dornburger Straße", "Am Anger", "Karl-Marx-Allee", "Erlanger Allee",
         "Kahlaische Straße", "Lutherstraße", "Magdelstieg", "Camburger Straße", "Wöllnitzer Straße", "Saalbahnhofstraße", "Fischergasse",
         "Leutragraben", "Knebelstraße", "Talstraße", "Closewitzer Straße", "Ziegesarstraße", "Stauffenbergstraße", "Kastanienstraße",
         "Max-Steenbeck-Straße", "Humboldtstraße", "Sonnenbergstraße", "Mühlenstraße", "Schillergäßchen", "Oberlauengasse", "Wagnergasse",
         "Ernst-Haeckel-Straße", "Forstweg", "Rudolstädter Straße", "Jenaer Straße", "Emil-Wölk-Straße", "Hugo-Schrade-Straße",
         "Friedrich-Zucker-Straße", "Tatzendpromenade", "Lobdeburgweg", "Am Steiger", "Otto-Schott-Straße", "Carl-Zeiß-Platz",
         "Nollendorfer Straße", "Schaefferstraße", "Beethovenstraße", "Kochstraße", "Zwätzengasse", "Naumburger Straße"];
    private static readonly string[] JenaPostalCodes = ["07743", "07745", "07747", "07749", "07751"];
    private static readonly (string Street, string PostalCode, string City)[] ElsewhereAddresses =
    [
        ("Anger", "99084", "Erfurt"), ("Schillerstraße", "99423", "Weimar"), ("Karl-Liebknecht-Straße", "04107", "Leipzig"),
        ("Torstraße", "10119", "Berlin"), ("Sorge", "07545", "Gera"), ("Bautzner Straße", "01099", "Dresden"),
        ("Große Ulrichstraße", "06108", "Halle (Saale)"), ("Bahnhofstraße", "99510", "Apolda"), ("Marktstraße", "07407", "Rudolstadt"),
        ("Ludwigstraße", "80539", "München"), ("Kaiserstraße", "60311", "Frankfurt am Main"),
    ];
    private static readonly string[] Domains = ["example.org", "example.com", "example.net", "mail.example", "post.example"];
    private static readonly string[] PlateDistricts = ["J", "J", "J", "J", "SHK", "WE", "EF", "AP", "G", "SLF", "SOK", "L", "B", "HAL"];
    private static readonly string[] Landlords =
        ["Wohnungsgenossenschaft Jena eG", "jenawohnen GmbH", "Wohnungsgenossenschaft Carl Zeiss eG", "Hausverwaltung Saaletal GmbH",
         "Immobilien Lobeda KG", "Studierendenwerk Thüringen"];
    private static readonly string[] KeeperCompanies =
        ["Beispiel Pflegedienst GmbH", "Saale Handwerk GmbH & Co. KG", "Optik Werke Jena AG", "Stadtwerke Beispiel GmbH", "Carsharing Saale eG"];
    private static readonly string[] KeeperRelations =
        ["Firmenwagen meines Arbeitgebers, den ich auch privat nutzen darf", "Auto meiner Partnerin", "Auto meines Partners",
         "Auto meiner Eltern, das ich dauerhaft fahre", "Dienstwagen, auch zur privaten Nutzung überlassen", "Leasingfahrzeug über meinen Arbeitgeber"];
    private static readonly Dictionary<string, string[]> DefectDescriptions = new()
    {
        ["road-damage"] = ["Tiefes Schlagloch auf dem Radweg, etwa 30 Zentimeter breit. Radfahrer müssen ausweichen.",
            "Der Gehweg ist an mehreren Stellen abgesackt, die Platten stehen hoch.", "Riss quer über die Fahrbahn, wird jede Woche breiter.",
            "Gullydeckel klappert und liegt tiefer als die Straße."],
        ["street-lighting"] = ["Die Laterne vor dem Haus ist seit drei Tagen dunkel.", "Straßenlaterne flackert die ganze Nacht.",
            "Drei Laternen hintereinander sind ausgefallen, der Weg ist nachts komplett dunkel."],
        ["illegal-waste"] = ["Jemand hat alte Möbel und Matratzen am Straßenrand abgestellt.", "Säcke mit Bauschutt liegen am Waldweg.",
            "Am Glascontainer liegen viele Scherben und Kartons."],
        ["graffiti"] = ["Großes Graffiti an der Wand der Unterführung.", "Die Bushaltestelle wurde über Nacht besprüht.",
            "Schmierereien an der Schulmauer, teilweise beleidigend."],
        ["playground"] = ["Die Schaukel ist gerissen, ein Seil hängt lose.", "Am Klettergerüst steht ein Nagel heraus.",
            "Im Sandkasten liegen Glasscherben."],
        ["green-space"] = ["Ein großer Ast hängt abgebrochen über dem Fußweg.", "Der Baum neigt sich stark zur Straße, die Wurzeln heben den Boden an.",
            "Die Hecke wächst so weit über den Gehweg, dass Kinderwagen nicht vorbeikommen."],
        ["other"] = ["Das Straßenschild ist umgefahren worden und liegt im Gebüsch.", "Die Ampel für Fußgänger schaltet nicht mehr auf Grün.",
            "Ein Poller ist umgeknickt und ragt in den Radweg."],
    };
    private static readonly string[] ProjectDescriptions =
        ["Ich möchte neben meinem Haus einen Carport aus Holz bauen, etwa 3 mal 6 Meter, direkt an der Grenze zum Nachbargrundstück.",
         "Wir planen, das Dachgeschoss auszubauen und zwei Gauben auf der Straßenseite einzusetzen.",
         "Auf dem Garagendach soll eine Solaranlage mit etwa 8 kWp entstehen, dazu eine Wärmepumpe im Garten.",
         "Das ehemalige Ladengeschäft im Erdgeschoss soll zu einer Wohnung umgebaut werden.",
         "Wir möchten ein Einfamilienhaus mit etwa 140 Quadratmetern Wohnfläche und Keller bauen.",
         "Der alte Schuppen hinten im Garten soll abgerissen und durch ein Gartenhaus ersetzt werden."];
    private static readonly string[] Questions =
        ["Brauche ich dafür eine Baugenehmigung? Wie viel Abstand muss ich zum Nachbarn halten?",
         "Welche Unterlagen brauche ich für den Bauantrag, und wie lange dauert die Prüfung?",
         "Gilt für unser Grundstück ein Bebauungsplan, und was schreibt er zur Dachform vor?",
         "Muss der Denkmalschutz zustimmen, und wer ist dort zuständig?",
         "Darf ich an der Grundstücksgrenze bauen, wenn der Nachbar einverstanden ist?"];
    private static readonly string[] Availabilities =
        ["Dienstags und donnerstags ab 14 Uhr", "Vormittags, am liebsten montags", "Jederzeit nach 16 Uhr", "Freitags ganztags"];
    private static readonly string[] OtherProjects = ["Eine Stützmauer am Hang", "Einen Pool im Garten", "Eine Werbetafel an der Hauswand"];

    private readonly Random _random = new(seed);

    /// <summary>One citizen's values for <paramref name="definition"/>'s form, based on the service's example.</summary>
    public JsonObject Fill(ProcessDefinition definition, JsonObject example, DateOnly today)
    {
        var person = Person();
        var data = FillObject(definition.Form, example, person, today);
        // Fields that do not apply to these answers (e.g. the landlord's name without the landlord's confirmation) stay empty.
        for (var pass = 0; pass < 2; pass++)
        {
            var values = FormValidator.ToParameters(definition.Form, data);
            foreach (var field in definition.Form)
            {
                if (field.VisibleWhen is not null && !Rules.IsTrue(field.VisibleWhen, values, today)) data.Remove(field.Id);
            }
        }
        return data;
    }

    private sealed record Citizen(string FirstName, string LastName, bool Female);

    private Citizen Person()
    {
        var female = _random.Next(2) == 0;
        return new Citizen(Pick(female ? FemaleNames : MaleNames), Pick(LastNames), female);
    }

    private JsonObject FillObject(IReadOnlyList<FieldDefinition> fields, JsonObject? example, Citizen person, DateOnly today)
    {
        var data = new JsonObject();
        // A second person in the same form (the child in a school-transport application) shares the family name mostly.
        var other = Person() with { LastName = _random.NextDouble() < 0.8 ? person.LastName : Pick(LastNames) };
        foreach (var field in fields)
        {
            JsonNode? exampleValue = null;
            example?.TryGetPropertyValue(field.Id, out exampleValue);
            var optional = !field.Required && field.RequiredWhen is null;
            // Optional fields: most citizens fill them in, some leave them out.
            if (optional && _random.NextDouble() < 0.25) continue;
            var who = field.Id.StartsWith("pupil", StringComparison.Ordinal) ? other : person;
            var value = Value(field, exampleValue, who, data, today);
            if (value is not null) data[field.Id] = value;
        }
        return data;
    }

    private JsonNode? Value(FieldDefinition field, JsonNode? example, Citizen person, JsonObject data, DateOnly today)
    {
        var id = field.Id.ToLowerInvariant();
        switch (field.Type)
        {
            case FieldTypes.Text:
                return Fit(Text(field, id, example, person, data), field);
            case FieldTypes.Email:
                return Email(person);
            case FieldTypes.Phone:
                return _random.NextDouble() < 0.5
                    ? $"03641 {_random.Next(100000, 999999)}"
                    : $"01{Pick(new[] { "51", "52", "60", "70", "71", "76", "77" })} {_random.Next(1000000, 9999999)}";
            case FieldTypes.Address:
                return Address(field, id);
            case FieldTypes.Date:
                return Date(field, id, today).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case FieldTypes.Choice:
                return field.Options.Count == 0 ? example?.DeepClone() : Pick(field.Options).Value;
            case FieldTypes.Boolean:
                // Mostly the common answer (the example's), often the other one.
                return example is JsonValue b && b.TryGetValue<bool>(out var given) ? (_random.NextDouble() < 0.7 ? given : !given) : _random.Next(2) == 0;
            case FieldTypes.Integer:
                return Between((int)(field.Min ?? 0), (int)(field.Max ?? 100));
            case FieldTypes.Number:
                return Number(field, id);
            case FieldTypes.List:
                var items = new JsonArray();
                var count = Math.Min(field.MaxItems ?? 4, _random.NextDouble() < 0.5 ? 0 : _random.Next(1, 5));
                count = Math.Max(count, field.MinItems ?? 0);
                var exampleItem = (example as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
                for (var i = 0; i < count; i++)
                {
                    var member = Person() with { LastName = _random.NextDouble() < 0.7 ? person.LastName : Pick(LastNames) };
                    items.Add(FillObject(field.Fields, exampleItem, member, today));
                }
                return items;
            default:
                return example?.DeepClone();
        }
    }

    private string Text(FieldDefinition field, string id, JsonNode? example, Citizen person, JsonObject data)
    {
        if (id.EndsWith("firstname", StringComparison.Ordinal)) return person.FirstName;
        if (id.EndsWith("lastname", StringComparison.Ordinal)) return person.LastName;
        if (id.Contains("landlord", StringComparison.Ordinal)) return _random.NextDouble() < 0.6 ? Pick(Landlords) : $"{Pick(MaleNames)} {Pick(LastNames)}";
        if (id.Contains("keeperrelation", StringComparison.Ordinal)) return Pick(KeeperRelations);
        if (id.Contains("keeper", StringComparison.Ordinal)) return _random.NextDouble() < 0.5 ? Pick(KeeperCompanies) : $"{Pick(FemaleNames)} {Pick(LastNames)}";
        if (id.EndsWith("name", StringComparison.Ordinal)) return $"{person.FirstName} {person.LastName}";
        if (id.Contains("registration", StringComparison.Ordinal) || id.Contains("plate", StringComparison.Ordinal)) return Plate();
        if (id.Contains("permitnumber", StringComparison.Ordinal)) return $"BP-{_random.Next(2019, 2026)}-{_random.Next(1, 99999):D5}";
        if (id == "location") return Location();
        if (id == "description")
            return data["category"] is JsonValue c && c.TryGetValue<string>(out var category) && DefectDescriptions.TryGetValue(category, out var texts)
                ? Pick(texts) : Pick(DefectDescriptions["other"]);
        if (id == "projectdescription") return Pick(ProjectDescriptions);
        if (id == "projecttypeother") return Pick(OtherProjects);
        if (id == "questions") return Pick(Questions);
        if (id == "parcel") return $"Gemarkung {Pick(new[] { "Jena", "Lobeda", "Wenigenjena", "Winzerla", "Zwätzen" })}, Flur {_random.Next(1, 40)}, Flurstück {_random.Next(1, 900)}/{_random.Next(1, 20)}";
        if (id == "availability") return Pick(Availabilities);
        return example is JsonValue v && v.TryGetValue<string>(out var given) ? given : "Keine weiteren Angaben zu diesem Punkt.";
    }

    /// <summary>Within the field's length limits (a generated text shorter than the minimum is repeated).</summary>
    private static string Fit(string text, FieldDefinition field)
    {
        var value = text;
        while (field.MinLength is { } min && value.Length < min) value += " " + text;
        return field.MaxLength is { } max && value.Length > max ? value[..max].TrimEnd() : value;
    }

    private string Email(Citizen person)
    {
        var local = _random.Next(4) switch
        {
            0 => $"{person.FirstName}.{person.LastName}",
            1 => $"{person.FirstName[0]}.{person.LastName}",
            2 => $"{person.FirstName}{person.LastName}{_random.Next(1, 99)}",
            _ => $"{person.LastName}.{person.FirstName}{_random.Next(1960, 2008)}",
        };
        return $"{Ascii(local)}@{Pick(Domains)}";
    }

    /// <summary>An e-mail address's local part in plain ASCII: umlauts spelt out, spaces and other letters dropped.</summary>
    private static string Ascii(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            sb.Append(c switch
            {
                'ä' => "ae", 'ö' => "oe", 'ü' => "ue", 'ß' => "ss", 'ş' => "s", 'ı' => "i", 'é' => "e",
                _ when c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' => c.ToString(),
                _ => "",
            });
        }
        return sb.ToString().Trim('.', '-').Replace("..", ".", StringComparison.Ordinal);
    }

    /// <summary>A German number plate as the permit's pattern asks for: district, one or two letters, a number, sometimes E or H.</summary>
    private string Plate()
    {
        const string letters = "ABCDEFGHIJKLMNOPRSTUVWXYZ";
        var district = Pick(PlateDistricts);
        var middle = new string(Enumerable.Range(0, district.Length == 3 ? 1 : _random.Next(1, 3)).Select(_ => letters[_random.Next(letters.Length)]).ToArray());
        var number = _random.Next(1, district.Length == 3 ? 999 : 9999);
        var suffix = _random.NextDouble() < 0.06 ? "E" : _random.NextDouble() < 0.02 ? "H" : "";
        return $"{district}-{middle} {number}{suffix}";
    }

    private string Location() => _random.Next(3) switch
    {
        0 => $"{Pick(JenaStreets)} {_random.Next(1, 120)}",
        1 => $"Kreuzung {Pick(JenaStreets)} / {Pick(JenaStreets)}",
        _ => $"{Pick(JenaStreets)}, Höhe Haltestelle {Pick(new[] { "Stadtzentrum", "Paradies", "Burgaupark", "Lobeda-West", "Ernst-Abbe-Platz", "Zeiss-Werk" })}",
    };

    private JsonObject Address(FieldDefinition field, string id)
    {
        // A previous address may lie anywhere in Germany; every other address of these forms is in the city.
        if (field.Pattern is null && id.Contains("previous", StringComparison.Ordinal) && _random.NextDouble() < 0.3)
        {
            var (street, postalCode, city) = Pick(ElsewhereAddresses);
            return new JsonObject { ["street"] = street, ["houseNumber"] = HouseNumber(), ["postalCode"] = postalCode, ["city"] = city };
        }
        var address = new JsonObject
        {
            ["street"] = Pick(JenaStreets), ["houseNumber"] = HouseNumber(), ["postalCode"] = Pick(JenaPostalCodes), ["city"] = "Jena",
        };
        if (_random.NextDouble() < 0.1) address["addition"] = Pick(new[] { "Hinterhaus", "2. OG links", "bei Schulz", "Aufgang B" });
        return address;
    }

    private string HouseNumber() => _random.NextDouble() < 0.15 ? $"{_random.Next(1, 150)}{(char)('a' + _random.Next(4))}" : _random.Next(1, 150).ToString(CultureInfo.InvariantCulture);

    private DateOnly Date(FieldDefinition field, string id, DateOnly today)
    {
        var earliest = field.MinDate is not null && RelativeDate.TryResolve(field.MinDate, today, out var min) ? min : today.AddYears(-80);
        var latest = field.MaxDate is not null && RelativeDate.TryResolve(field.MaxDate, today, out var max) ? max : today.AddYears(1);
        // An adult's date of birth: most applicants are between 18 and 85, whatever wider bounds the form allows.
        if (id == "dateofbirth" && field.MinDate is not null)
        {
            var adultEarliest = today.AddYears(-85);
            var adultLatest = today.AddYears(-18);
            if (adultEarliest >= earliest && adultLatest <= latest) (earliest, latest) = (adultEarliest, adultLatest);
        }
        // Most people register a move within the two weeks the law gives them; some register late.
        if (id.Contains("movein", StringComparison.Ordinal) && _random.NextDouble() < 0.8 && today.AddDays(-14) is var recent && recent > earliest)
            earliest = recent;
        var days = latest.DayNumber - earliest.DayNumber;
        return days <= 0 ? earliest : DateOnly.FromDayNumber(earliest.DayNumber + _random.Next(days + 1));
    }

    private decimal Number(FieldDefinition field, string id)
    {
        if (id == "latitude") return Math.Round(Clamp(50.89m + (decimal)_random.NextDouble() * 0.06m, field), 5);
        if (id == "longitude") return Math.Round(Clamp(11.56m + (decimal)_random.NextDouble() * 0.07m, field), 5);
        if (id.Contains("km", StringComparison.Ordinal)) return Math.Round(Clamp(0.3m + (decimal)_random.NextDouble() * 9.7m, field), 1);
        var lo = field.Min ?? 0;
        var hi = field.Max ?? lo + 100;
        return Math.Round(lo + (decimal)_random.NextDouble() * (hi - lo), 2);
    }

    private static decimal Clamp(decimal value, FieldDefinition field) => Math.Min(field.Max ?? value, Math.Max(field.Min ?? value, value));

    private int Between(int lo, int hi) => _random.Next(lo, hi + 1);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}

/// <summary>
/// Pre-generated submissions of the city's mix, a few thousand per service, each checked with the engine's own form
/// validation before any load runs, and written to a file that the load's script reads (one line per body).
/// </summary>
public sealed class SubmissionPool : IDisposable
{
    private static readonly JsonSerializerOptions BrowserJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private SubmissionPool(string file, IReadOnlyDictionary<string, int> perService, double averageBytes)
    {
        File = file;
        PerService = perService;
        AverageBytes = averageBytes;
    }

    /// <summary>Lines of <c>service TAB body</c>.</summary>
    public string File { get; private set; }

    /// <summary>Keeps the bodies at <paramref name="path"/> (for runs by hand; disposing deletes them there).</summary>
    public void MoveTo(string path)
    {
        System.IO.File.Move(File, path, overwrite: true);
        File = path;
    }

    public IReadOnlyDictionary<string, int> PerService { get; }

    public double AverageBytes { get; }

    /// <param name="examples">The engine's example body per service (<c>{"data":…,"language":"de"}</c>).</param>
    public static SubmissionPool Create(DefinitionCatalog catalog, IReadOnlyDictionary<string, JsonObject> examples, int perService, DateOnly today)
    {
        var forms = new CitizenForms(seed: 4711);
        var random = new Random(815);
        var file = Path.Combine(Path.GetTempPath(), $"vorgang-bench-mix-{Guid.NewGuid():N}.tsv");
        var counts = new Dictionary<string, int>();
        long bytes = 0;
        using (var writer = new StreamWriter(file, append: false, new UTF8Encoding(false)))
        {
            foreach (var (service, _) in CityGenerator.Mix)
            {
                var definition = catalog.Latest(service) ?? throw new InvalidOperationException($"No definition for '{service}'.");
                var example = examples[service]["data"] as JsonObject ?? throw new InvalidOperationException($"The engine's example of '{service}' has no data.");
                for (var i = 0; i < perService; i++)
                {
                    var data = forms.Fill(definition, example, today);
                    var language = random.NextDouble() < 0.1 ? "en" : "de";
                    // The engine's own validation: a body it would refuse would measure refusals, not submissions.
                    var errors = FormValidator.Validate(definition.Form, data, language, today);
                    if (errors.Count > 0)
                        throw new InvalidOperationException($"A generated '{service}' form is invalid: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}\n{data.ToJsonString()}");
                    // UTF-8 as a browser's JSON.stringify sends it, umlauts unescaped.
                    var body = new JsonObject { ["data"] = data, ["language"] = language }.ToJsonString(BrowserJson);
                    writer.Write(service);
                    writer.Write('\t');
                    writer.Write(body);
                    writer.Write('\n');
                    bytes += Encoding.UTF8.GetByteCount(body);
                }
                counts[service] = perService;
            }
        }
        return new SubmissionPool(file, counts, (double)bytes / counts.Values.Sum());
    }

    /// <summary>A few bodies of one service, for the warm-up's requests.</summary>
    public IEnumerable<(string Service, string Body)> Sample(int perService) =>
        System.IO.File.ReadLines(File)
            .Select(l => l.Split('\t', 2))
            .GroupBy(p => p[0])
            .SelectMany(g => g.Take(perService).Select(p => (p[0], p[1])));

    public void Dispose()
    {
        try { System.IO.File.Delete(File); }
        catch (IOException) { }
    }
}
