#!/usr/bin/env bash
# Benchmark (not a timed test): build time of a generated consumer of N files with pipelines, with and without
# the EcsDeploy analyzer, measured in the same run, plus the analyzer's own time as the compiler reports it
# (-p:ReportAnalyzer=true). Target: under 3 % overhead.
#
#   tests/benchmarks/analyzer-overhead.sh [files=500] [runs=5]
#
# Only the EcsDeploy analyzer is attached (EnableNETAnalyzers=false), so RunAnalyzers=true vs false isolates it.
# Each measured build is a full recompile (--no-incremental) after one warm-up build per configuration; runs
# alternate between the two configurations and the median of each is compared.
set -euo pipefail

FILES="${1:-500}"
RUNS="${2:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ecsdeploy-analyzer-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "Building EcsDeploy and the analyzer (Release)..."
dotnet build "$ROOT/src/EcsDeploy/EcsDeploy.csproj" -c Release -v:q -nologo >/dev/null
LIB="$ROOT/src/EcsDeploy/bin/Release/net10.0/EcsDeploy.dll"
ANALYZER="$ROOT/analyzers/EcsDeploy.Analyzers/bin/Release/netstandard2.0/EcsDeploy.Analyzers.dll"
AWSCORE="$(find "$ROOT/src/EcsDeploy/bin/Release/net10.0" -name 'AWSSDK.Core.dll' | head -1)"
[ -f "$LIB" ] && [ -f "$ANALYZER" ] || { echo "build outputs missing" >&2; exit 1; }

cat > "$WORK/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Library</OutputType>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <EnableNETAnalyzers>false</EnableNETAnalyzers>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="EcsDeploy" HintPath="$LIB" />
    <Reference Include="AWSSDK.Core" HintPath="$AWSCORE" Condition="'$AWSCORE' != ''" />
    <Analyzer Include="$ANALYZER" />
  </ItemGroup>
</Project>
XML

echo "Generating $FILES files..."
for i in $(seq 1 "$FILES"); do
  cat > "$WORK/Pipeline$i.cs" <<CS
using EcsDeploy;

namespace Consumer;

public static class Pipeline$i
{
    public static Task<int> RunAsync(string[] args) => Create().Verify(v => v.Http("/health")).RunAsync(args);

    public static PipelineBuilder Create()
    {
        var pipeline = Pipeline.For("service-$i")
            .InRegion("eu-central-1")
            .OnCluster("cluster-$((i % 7))")
            .Build(b => b.Run("npm", "ci").Run("npm run build").Image("Dockerfile"))
            .Push(p => p.Repository("team/service-$i").Tags(PushOptions.GitSha, "latest"));
        pipeline.Migrate(m => m.Prisma());
        return pipeline
            .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds($((i % 50 + 10)))))
            .Deploy(d => d.Service("service-$i-service")
                .Container("service-$i")
                .Environment("NODE_ENV", "production")
                .Environment("PORT", "$((3000 + i))")
                .Secret("DATABASE_URL", "service-$i/DATABASE_URL")
                .WaitTimeout(TimeSpan.FromMinutes(10))
                .RollbackOnFailure());
    }
}
CS
done

cd "$WORK"
dotnet restore -v:q -nologo >/dev/null

build() { # $1 = true|false ; prints seconds
  local start end
  start=$(date +%s.%N)
  dotnet build --no-restore --no-incremental -v:q -nologo -p:RunAnalyzers="$1" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

echo "Warm-up..."
build false >/dev/null
build true >/dev/null

without=(); with=()
for r in $(seq 1 "$RUNS"); do
  without+=("$(build false)")
  with+=("$(build true)")
  echo "  run $r: without ${without[-1]} s, with ${with[-1]} s"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_without=$(median "${without[@]}")
m_with=$(median "${with[@]}")
echo
echo "Consumer: $FILES files, $RUNS runs each (median of full recompiles)"
printf 'without analyzer (RunAnalyzers=false): %.2f s\n' "$m_without"
printf 'with analyzer    (RunAnalyzers=true):  %.2f s\n' "$m_with"
awk -v a="$m_with" -v b="$m_without" 'BEGIN { printf "ratio with/without: %.3f (overhead %+.1f %%)\n", a/b, (a/b-1)*100 }'

echo
echo "Analyzer time as the compiler reports it (-p:ReportAnalyzer=true):"
dotnet build --no-restore --no-incremental -nologo -v:d -p:RunAnalyzers=true -p:ReportAnalyzer=true 2>&1 \
  | grep -E 'analyzer execution time|Time \(s\)|EcsDeploy\.Analyzers' | grep -v -E '/analyzer:|csc|Analyzer Include' | sed 's/^ *//' | head -20
