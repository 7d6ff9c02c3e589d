#!/usr/bin/env bash
# Benchmark (not a timed test): build time of a generated consumer of N files with pipelines, with and without
# the EcsDeploy analyzer, measured in the same run, plus the analyzer's own time as the compiler reports it
# (-p:ReportAnalyzer=true, per analyzer type). Target: under 3 % overhead.
#
#   tests/benchmarks/analyzer-overhead.sh [files=500] [runs=5]
#
# Configurations, built alternately (one full recompile each per round, --no-incremental, after one warm-up build):
#   without  RunAnalyzers=false: the compiler alone.
#   noop     a peer: a no-op analyzer that registers one operation action (Invocation) and does nothing. It is the
#            floor of an analyzer built on operation actions: the compiler hands the driver each method's bound tree
#            (it is not bound again), but the driver builds an IOperation tree from it for every method body and
#            dispatches every operation.
#   floor    a peer: one semantic model action per file that asks for the operation tree of every method and walks
#            it, reporting nothing. It is the floor of EcsDeploy's own design on this consumer, where every method
#            is a pipeline: what the analyzer does before any rule runs.
#   with     the EcsDeploy analyzer as built from this tree.
#   NAME     more analyzers to compare in the same run: COMPARE="before=/path/EcsDeploy.Analyzers.dll ...".
# It prints, per configuration, the median wall time and the median CPU time (user+sys of the build's process
# tree) with their min-max spread, the overhead % of each against `without`, and the compiler-reported time per
# analyzer (-p:ReportAnalyzer=true; wall-clock time inside analyzer callbacks, summed over threads).
#
# Only the analyzer under test is attached (EnableNETAnalyzers=false), so RunAnalyzers=true vs false isolates it.
# UseSharedCompilation=false runs csc inside the build's process tree, so its CPU time is counted and no compiler
# server shared with other builds on the machine is involved (the wall clock is noisy on a shared machine; CPU
# time is the steadier figure). csc's own start-up is then in every configuration, as it is in a cold CI build.
# SHARED_COMPILATION=true measures the other case, a developer's warm builds through the compiler server: the
# analyzer is loaded and JIT-compiled once, and only wall time means anything (csc's CPU is in the server).
set -euo pipefail

FILES="${1:-500}"
RUNS="${2:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# BENCH_DIR keeps the generated consumer there (for profiling); REPORT_ONLY=1 skips the timed builds.
if [ -n "${BENCH_DIR:-}" ]; then WORK="$BENCH_DIR"; rm -rf "$WORK"; mkdir -p "$WORK"
else WORK="$(mktemp -d "${TMPDIR:-/tmp}/ecsdeploy-analyzer-bench.XXXXXX")"; trap 'rm -rf "$WORK"' EXIT; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "Building EcsDeploy and the analyzer (Release)..."
dotnet build "$ROOT/src/EcsDeploy/EcsDeploy.csproj" -c Release -v:q -nologo >/dev/null
dotnet build "$ROOT/analyzers/EcsDeploy.Analyzers/EcsDeploy.Analyzers.csproj" -c Release -v:q -nologo >/dev/null
LIB="$ROOT/src/EcsDeploy/bin/Release/net10.0/EcsDeploy.dll"
ANALYZER="$ROOT/analyzers/EcsDeploy.Analyzers/bin/Release/netstandard2.0/EcsDeploy.Analyzers.dll"
[ -f "$LIB" ] && [ -f "$ANALYZER" ] || { echo "build outputs missing" >&2; exit 1; }
# Copies: a rebuild of the tree while the benchmark runs does not change what is measured.
mkdir -p "$WORK/lib" "$WORK/with"; cp "$LIB" "$WORK/lib/"; cp "$ANALYZER" "$WORK/with/"
LIB="$WORK/lib/EcsDeploy.dll"; ANALYZER="$WORK/with/EcsDeploy.Analyzers.dll"

# The peers, built here against the same Roslyn as the EcsDeploy analyzer. One source, built once per peer: the
# compiler runs every analyzer of an assembly it is given, so each peer is an assembly of its own.
ROSLYN_VERSION="$(sed -n 's/.*PackageVersion Include="Microsoft.CodeAnalysis.CSharp" Version="\([^"]*\)".*/\1/p' "$ROOT/Directory.Packages.props")"
mkdir -p "$WORK/peers"
cat > "$WORK/peers/Peers.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <NoWarn>\$(NoWarn);RS1036;RS1041;NU1603</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.CodeAnalysis.CSharp" Version="$ROSLYN_VERSION" PrivateAssets="all" />
  </ItemGroup>
</Project>
XML
cat > "$WORK/peers/PeerAnalyzer.cs" <<'CS'
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

/// <summary>A peer that reports nothing: its cost is the callbacks it registers.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PeerAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Rule = new DiagnosticDescriptor("PEER0001", "Peer", "Peer", "Benchmark", DiagnosticSeverity.Hidden, true);
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
#if NOOP
        context.RegisterOperationAction(_ => { }, OperationKind.Invocation);
#else
        context.RegisterSemanticModelAction(file =>
        {
            SyntaxNode root = file.SemanticModel.SyntaxTree.GetRoot(file.CancellationToken);
            foreach (var method in root.DescendantNodes(node => !(node is BaseMethodDeclarationSyntax)).OfType<BaseMethodDeclarationSyntax>())
            {
                IOperation block = file.SemanticModel.GetOperation(method, file.CancellationToken);
                if (block != null) foreach (IOperation _ in block.Descendants()) { }
            }
        });
#endif
    }
}
CS
for peer in noop floor; do
  define=""; [ "$peer" = noop ] && define="-p:DefineConstants=NOOP"
  dotnet build "$WORK/peers/Peers.csproj" -c Release -v:q -nologo $define -p:AssemblyName="$peer" \
    -p:IntermediateOutputPath="obj/$peer/" -o "$WORK/peers/$peer" >/dev/null
done
NOOP="$WORK/peers/noop/noop.dll"
FLOOR="$WORK/peers/floor/floor.dll"

# Configurations: name=analyzer path (empty for none).
CONFIGS=("without=" "noop=$NOOP" "floor=$FLOOR" "with=$ANALYZER")
for extra in ${COMPARE:-}; do CONFIGS+=("$extra"); done

mkdir -p "$WORK/consumer"
cat > "$WORK/consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Library</OutputType>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <EnableNETAnalyzers>false</EnableNETAnalyzers>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
    <UseSharedCompilation>${SHARED_COMPILATION:-false}</UseSharedCompilation>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="EcsDeploy" HintPath="$LIB" />
    <Analyzer Include="\$(BenchAnalyzer)" Condition="'\$(BenchAnalyzer)' != ''" />
  </ItemGroup>
  <!-- The targeting pack's own analyzers (Microsoft.Interop) would run in every analyzer configuration: drop them. -->
  <Target Name="DropFrameworkAnalyzers" AfterTargets="ResolveTargetingPackAssets">
    <ItemGroup>
      <Analyzer Remove="@(Analyzer)" Condition="'%(Analyzer.FrameworkReferenceName)' != ''" />
    </ItemGroup>
  </Target>
</Project>
XML

echo "Generating $FILES files..."
for i in $(seq 1 "$FILES"); do
  cat > "$WORK/consumer/Pipeline$i.cs" <<CS
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

cd "$WORK/consumer"
dotnet restore -v:q -nologo >/dev/null

build() { # $1 = analyzer path or empty; prints "wall cpu" in seconds
  local run=true; [ -z "$1" ] && run=false
  local TIMEFORMAT='%R %U %S' t
  t=$( { time dotnet build --no-restore --no-incremental -nodeReuse:false -v:q -nologo -p:RunAnalyzers=$run -p:BenchAnalyzer="$1" >/dev/null; } 2>&1 )
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t"
}

stats() { # values... -> "median min max"
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); printf "%.2f %.2f %.2f", m, a[1], a[NR]}'
}

if [ "${REPORT_ONLY:-0}" != 1 ]; then
  echo "Warm-up (one build: the consumer's files and the SDK into the page cache)..."
  build "$ANALYZER" >/dev/null
  declare -A WALL CPU
  for r in $(seq 1 "$RUNS"); do
    line="  round $r:"
    for c in "${CONFIGS[@]}"; do
      read -r w u < <(build "${c#*=}")
      WALL[${c%%=*}]+="$w "; CPU[${c%%=*}]+="$u "
      line+=" ${c%%=*} ${w}s/${u}s cpu"
    done
    echo "$line"
  done
  echo
  echo "Consumer: $FILES files, $RUNS full recompiles per configuration, interleaved (median [min-max])"
  read -r base_w _ _ <<<"$(stats ${WALL[without]})"
  read -r base_c _ _ <<<"$(stats ${CPU[without]})"
  printf '%-10s %-24s %-10s %-24s %s\n' config "wall s" "wall +%" "cpu s" "cpu +%"
  for c in "${CONFIGS[@]}"; do
    n=${c%%=*}
    read -r mw lw hw <<<"$(stats ${WALL[$n]})"
    read -r mc lc hc <<<"$(stats ${CPU[$n]})"
    awk -v n="$n" -v mw="$mw" -v lw="$lw" -v hw="$hw" -v mc="$mc" -v lc="$lc" -v hc="$hc" -v bw="$base_w" -v bc="$base_c" 'BEGIN {
      printf "%-10s %6.2f [%6.2f-%6.2f]   %+6.1f %%   %6.2f [%6.2f-%6.2f]   %+6.1f %%\n", n, mw, lw, hw, (mw/bw-1)*100, mc, lc, hc, (mc/bc-1)*100 }'
  done
fi

for c in "${CONFIGS[@]}"; do
  [ -z "${c#*=}" ] || [ "${c%%=*}" = noop ] || [ "${c%%=*}" = floor ] && continue
  echo
  echo "Analyzer time as the compiler reports it, config ${c%%=*} (-p:ReportAnalyzer=true):"
  dotnet build --no-restore --no-incremental -nodeReuse:false -nologo -v:d -p:RunAnalyzers=true -p:ReportAnalyzer=true -p:BenchAnalyzer="${c#*=}" 2>&1 \
    | grep -E 'analyzer execution time|Time \(s\)|Analyzers?[,.]' | grep -v -E '/analyzer:|csc|Analyzer Include|Generator' | sed 's/^ *//' | head -20
done
