# syntax=docker/dockerfile:1

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/ src/
# The whole src/ is copied (not just the project files) so that new projects referenced by the API need no
# Dockerfile change; the cache mount keeps restores fast anyway. It brings the pre-generated Wolverine code in
# src/Api/Internal/Generated, which production runs (TypeLoadMode.Static) and a test keeps current; so the image is
# published without Roslyn (nothing is compiled at run time) and ReadyToRun, for a fast first request (decision 31).
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/Api/Vorgang.Api.csproj -c Release -a $TARGETARCH --self-contained false \
      -p:PublishReadyToRun=true -p:WolverineRuntimeCompilation=false -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish ./
COPY process-definitions/ ./process-definitions/
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    Vorgang__DefinitionsPath=/app/process-definitions
EXPOSE 8080
# The non-root user that the .NET images provide.
USER $APP_UID
ENTRYPOINT ["dotnet", "Vorgang.Api.dll"]
