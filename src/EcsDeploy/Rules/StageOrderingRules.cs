// One rule source for run time and compile time, like PipelineRules.cs: compiled into EcsDeploy and linked into
// EcsDeploy.Analyzers (netstandard2.0), so only what netstandard2.0 has. Stage order follows from what stages
// declare they require, use and produce (data flow); explicit RunsAfter/RunsBefore facts remain where no data flows.
#nullable enable
using System;
using System.Collections.Generic;

namespace EcsDeploy.Rules
{
    /// <summary>A stage's place in a pipeline: its name, the outputs it requires, uses and produces, and explicit facts.</summary>
    public sealed class StageOrder
    {
        private static readonly string[] None = new string[0];

        /// <summary>Creates an ordering fact with explicit facts only.</summary>
        public StageOrder(string name, IReadOnlyList<string> runsAfter, IReadOnlyList<string> runsBefore)
            : this(name, None, None, None, runsAfter, runsBefore)
        {
        }

        /// <summary>Creates an ordering fact from a stage's data flow and its explicit facts.</summary>
        public StageOrder(string name, IReadOnlyList<string> requires, IReadOnlyList<string> uses, IReadOnlyList<string> produces,
            IReadOnlyList<string> runsAfter, IReadOnlyList<string> runsBefore)
        {
            Name = name;
            Requires = requires;
            Uses = uses;
            Produces = produces;
            RunsAfter = runsAfter;
            RunsBefore = runsBefore;
        }

        /// <summary>The stage name.</summary>
        public string Name { get; }
        /// <summary>Outputs (by name) an earlier stage must produce; the pipeline is invalid when none does.</summary>
        public IReadOnlyList<string> Requires { get; }
        /// <summary>Outputs (by name) the stage reads when a stage produces them; that stage must then come first.</summary>
        public IReadOnlyList<string> Uses { get; }
        /// <summary>Outputs (by name) the stage produces.</summary>
        public IReadOnlyList<string> Produces { get; }
        /// <summary>Stages that, when present, must come before this one although no data flows between them.</summary>
        public IReadOnlyList<string> RunsAfter { get; }
        /// <summary>Stages that, when present, must come after this one although no data flows between them.</summary>
        public IReadOnlyList<string> RunsBefore { get; }
    }

    /// <summary>What is wrong with a stage's place.</summary>
    public enum StageOrderingProblemKind
    {
        /// <summary>The stage is written after a stage it must precede.</summary>
        OutOfOrder,
        /// <summary>The stage is added a second time.</summary>
        Duplicate,
        /// <summary>The stage requires an output that no stage of the pipeline produces.</summary>
        MissingInput,
    }

    /// <summary>An ordering problem and where it is.</summary>
    public sealed class StageOrderingProblem
    {
        /// <summary>Creates a problem.</summary>
        public StageOrderingProblem(StageOrderingProblemKind kind, int index, int otherIndex, string message)
        {
            Kind = kind;
            Index = index;
            OtherIndex = otherIndex;
            Message = message;
        }

        /// <summary>What is wrong.</summary>
        public StageOrderingProblemKind Kind { get; }
        /// <summary>The stage written too late, added a second time, or missing an input.</summary>
        public int Index { get; }
        /// <summary>The stage that <see cref="Index"/> must precede; -1 for a duplicate or a missing input.</summary>
        public int OtherIndex { get; }
        /// <summary>The message, as <see cref="StageOrderingRules.Check"/> gives it.</summary>
        public string Message { get; }
        /// <summary>True when the stage is added a second time.</summary>
        public bool IsDuplicate { get { return Kind == StageOrderingProblemKind.Duplicate; } }
    }

    /// <summary>Checks the written order of stages against what they declare. Stages run in the order written.</summary>
    public static class StageOrderingRules
    {
        /// <summary>The message for a stage that comes after one it must precede, where no data flows between them.</summary>
        public static string OutOfOrder(string earlier, string later)
        {
            return "Stage '" + later + "' must run before '" + earlier + "': move ." + later + "(...) before ." + earlier + "(...).";
        }

        /// <summary>The message for a stage written after a stage that needs what it produces.</summary>
        public static string OutOfOrder(string earlier, string later, string output)
        {
            return "Stage '" + later + "' must run before '" + earlier + "': it produces '" + output + "', which '" + earlier
                + "' needs. Move ." + later + "(...) before ." + earlier + "(...).";
        }

        /// <summary>The message for a stage that requires an output no stage of the pipeline produces.</summary>
        public static string MissingInput(string stage, string output)
        {
            return "Stage '" + stage + "' requires '" + output + "', which no stage of this pipeline produces: add the stage that produces it"
                + ProducerHint(output) + " before ." + stage + "(...).";
        }

        /// <summary>The message for a stage added twice.</summary>
        public static string Duplicate(string name)
        {
            return "Stage '" + name + "' is added twice: keep one ." + name + "(...) call and configure it there.";
        }

        /// <summary>Returns every ordering problem of the stages, in the order written.</summary>
        public static IReadOnlyList<string> Check(IReadOnlyList<StageOrder> stages)
        {
            var problems = new List<string>();
            foreach (StageOrderingProblem problem in FindProblems(stages))
            {
                problems.Add(problem.Message);
            }
            return problems;
        }

        /// <summary>
        /// The same problems as <see cref="Check"/>, with where they are: <see cref="StageOrderingProblem.Index"/> is the
        /// stage written too late (or added again, or missing an input), <see cref="StageOrderingProblem.OtherIndex"/> the
        /// stage it must precede. The analyzer reports at Index; the messages are those of <see cref="Check"/>.
        /// </summary>
        public static IReadOnlyList<StageOrderingProblem> FindProblems(IReadOnlyList<StageOrder> stages)
        {
            var problems = new List<StageOrderingProblem>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < stages.Count; i++)
            {
                if (!seen.Add(stages[i].Name))
                {
                    problems.Add(new StageOrderingProblem(StageOrderingProblemKind.Duplicate, i, -1, Duplicate(stages[i].Name)));
                }
                for (int j = i + 1; j < stages.Count; j++)
                {
                    // Stage j is written after stage i. That is wrong when j produces what i needs, when j declares it
                    // runs before i, or when i declares it runs after j.
                    string? output = FirstNeeded(stages[i], stages[j]);
                    if (output != null)
                    {
                        problems.Add(new StageOrderingProblem(StageOrderingProblemKind.OutOfOrder, j, i, OutOfOrder(stages[i].Name, stages[j].Name, output)));
                    }
                    else if (Contains(stages[j].RunsBefore, stages[i].Name) || Contains(stages[i].RunsAfter, stages[j].Name))
                    {
                        problems.Add(new StageOrderingProblem(StageOrderingProblemKind.OutOfOrder, j, i, OutOfOrder(stages[i].Name, stages[j].Name)));
                    }
                }
                foreach (string required in stages[i].Requires)
                {
                    if (!ProducedByAnother(stages, i, required))
                    {
                        problems.Add(new StageOrderingProblem(StageOrderingProblemKind.MissingInput, i, -1, MissingInput(stages[i].Name, required)));
                    }
                }
            }
            return problems;
        }

        /// <summary>The first output <paramref name="consumer"/> requires or uses that <paramref name="producer"/> produces.</summary>
        private static string? FirstNeeded(StageOrder consumer, StageOrder producer)
        {
            foreach (string output in consumer.Requires)
            {
                if (Contains(producer.Produces, output)) return output;
            }
            foreach (string output in consumer.Uses)
            {
                if (Contains(producer.Produces, output)) return output;
            }
            return null;
        }

        private static bool ProducedByAnother(IReadOnlyList<StageOrder> stages, int index, string output)
        {
            for (int k = 0; k < stages.Count; k++)
            {
                if (k != index && Contains(stages[k].Produces, output))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>For the built-in outputs, which stage produces them.</summary>
        private static string ProducerHint(string output)
        {
            switch (output)
            {
                case "built image": return " (.Build(...))";
                case "image": case "git commit": case "image scan": return " (.Push(...))";
                case "OLLAMA_URL": case "extra environment": return " (.WithOllama(...))";
                case "task definition": case "deployment": case "previous task definition": return " (.Deploy(...))";
                default: return "";
            }
        }

        private static bool Contains(IReadOnlyList<string> list, string value)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i], value, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
