using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace EcsDeploy.Analyzers
{
    internal static class OperationHelpers
    {
        [System.Runtime.CompilerServices.MethodImpl(EcsDeploySymbols.Hot)]
        public static IOperation Unwrap(IOperation operation)
        {
            while (true)
            {
                if (operation is IConversionOperation conversion && conversion.IsImplicit) operation = conversion.Operand;
                else if (operation is IParenthesizedOperation parenthesized) operation = parenthesized.Operand;
                else return operation;
            }
        }

        /// <summary>The operation a value flows into, skipping implicit conversions and parentheses.</summary>
        public static IOperation? ConsumerOf(IOperation operation, out IOperation child)
        {
            child = operation;
            IOperation? parent = operation.Parent;
            while (parent is IConversionOperation conversion && conversion.IsImplicit || parent is IParenthesizedOperation)
            {
                child = parent!;
                parent = parent!.Parent;
            }
            return parent;
        }

        /// <summary>The builder an invocation is called on: its instance, or the `this` argument of an extension method.</summary>
        public static IOperation? Receiver(IInvocationOperation invocation)
        {
            if (invocation.Instance != null)
            {
                return Unwrap(invocation.Instance);
            }
            if (invocation.TargetMethod.IsExtensionMethod)
            {
                IArgumentOperation? first = Argument(invocation, 0);
                return first == null ? null : Unwrap(first.Value);
            }
            return null;
        }

        public static IArgumentOperation? Argument(IInvocationOperation invocation, int ordinal)
        {
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter != null && argument.Parameter.Ordinal == ordinal) return argument;
            }
            return null;
        }

        public static string? ConstantString(IOperation? operation)
        {
            if (operation == null) return null;
            Optional<object?> value = operation.ConstantValue;
            return value.HasValue ? value.Value as string : null;
        }

        public static bool? ConstantBool(IOperation? operation)
        {
            if (operation == null) return null;
            Optional<object?> value = operation.ConstantValue;
            return value.HasValue && value.Value is bool b ? b : (bool?)null;
        }

        /// <summary>The string arguments of a call (params arrays expanded); null when any is not a constant.</summary>
        public static List<string>? ConstantStrings(IInvocationOperation invocation, int firstOrdinal = 0)
        {
            var result = new List<string>();
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter == null || argument.Parameter.Ordinal < firstOrdinal) continue;
                if (argument.IsImplicit && argument.ArgumentKind == ArgumentKind.DefaultValue) continue;
                IOperation value = Unwrap(argument.Value);
                IEnumerable<IOperation>? elements = null;
                if (value is IArrayCreationOperation array)
                {
                    if (array.Initializer == null) return null;
                    elements = array.Initializer.ElementValues;
                }
                else if (value is ICollectionExpressionOperation collection)
                {
                    elements = collection.Elements;
                }
                if (elements != null)
                {
                    foreach (IOperation element in elements)
                    {
                        string? s = ConstantString(element);
                        if (s == null) return null;
                        result.Add(s);
                    }
                }
                else
                {
                    string? s = ConstantString(value);
                    if (s == null) return null;
                    result.Add(s);
                }
            }
            return result;
        }

        /// <summary>The value of TimeSpan.FromX(constant), new TimeSpan(constants) or TimeSpan.Zero; null otherwise.</summary>
        public static System.TimeSpan? ConstantTimeSpan(IOperation? operation, INamedTypeSymbol? timeSpanType)
        {
            if (operation == null || timeSpanType == null) return null;
            operation = Unwrap(operation);
            if (operation is IFieldReferenceOperation field && SymbolEqualityComparer.Default.Equals(field.Field.ContainingType, timeSpanType))
            {
                if (field.Field.Name == "Zero") return System.TimeSpan.Zero;
                return null;
            }
            if (operation is IInvocationOperation call && call.TargetMethod.IsStatic
                && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, timeSpanType))
            {
                double ticks = 0;
                foreach (IArgumentOperation argument in call.Arguments)
                {
                    double? number = ConstantNumber(argument.Value);
                    if (number == null) return null;
                    string unit = argument.Parameter?.Name ?? "";
                    if (unit == "value" || call.Arguments.Length == 1) unit = call.TargetMethod.Name.Substring(4).ToLowerInvariant();
                    double? perUnit = TicksPer(unit);
                    if (perUnit == null) return null;
                    ticks += number.Value * perUnit.Value;
                }
                return Ticks(ticks);
            }
            if (operation is IObjectCreationOperation creation && SymbolEqualityComparer.Default.Equals(creation.Type, timeSpanType))
            {
                var numbers = new List<double>();
                foreach (IArgumentOperation argument in creation.Arguments)
                {
                    double? number = ConstantNumber(argument.Value);
                    if (number == null) return null;
                    numbers.Add(number.Value);
                }
                switch (numbers.Count)
                {
                    case 1: return Ticks(numbers[0]);
                    case 3: return Ticks((numbers[0] * 3600 + numbers[1] * 60 + numbers[2]) * 1e7);
                    case 4: return Ticks((numbers[0] * 86400 + numbers[1] * 3600 + numbers[2] * 60 + numbers[3]) * 1e7);
                    case 5: return Ticks((numbers[0] * 86400 + numbers[1] * 3600 + numbers[2] * 60 + numbers[3]) * 1e7 + numbers[4] * 1e4);
                    default: return null;
                }
            }
            return null;
        }

        private static System.TimeSpan? Ticks(double ticks)
        {
            if (double.IsNaN(ticks) || ticks > long.MaxValue || ticks < long.MinValue) return null;
            return new System.TimeSpan((long)ticks);
        }

        private static double? TicksPer(string unit)
        {
            switch (unit)
            {
                case "days": return 864e9;
                case "hours": return 36e9;
                case "minutes": return 6e8;
                case "seconds": return 1e7;
                case "milliseconds": return 1e4;
                case "microseconds": return 10;
                case "ticks": return 1;
                default: return null;
            }
        }

        private static double? ConstantNumber(IOperation operation)
        {
            Optional<object?> value = operation.ConstantValue;
            if (!value.HasValue || value.Value == null) return null;
            switch (value.Value)
            {
                case int i: return i;
                case long l: return l;
                case double d: return d;
                case float f: return f;
                case short s: return s;
                case decimal m: return (double)m;
                default: return null;
            }
        }

        /// <summary>The configure lambda of a call (`.Deploy(d => ...)`, `d.LoadBalancer(lb => ...)`), or null (a method group, a variable).</summary>
        public static IAnonymousFunctionOperation? ConfigureLambda(IInvocationOperation call)
        {
            foreach (IArgumentOperation argument in call.Arguments)
            {
                IOperation value = Unwrap(argument.Value);
                if (value is IDelegateCreationOperation creation && Unwrap(creation.Target) is IAnonymousFunctionOperation lambda)
                {
                    return lambda;
                }
            }
            return null;
        }

        /// <summary>The value of a numeric constant (literals, constants, implicit conversions), or null.</summary>
        public static double? ConstantDouble(IOperation? operation) => operation == null ? null : ConstantNumber(operation);

        /// <summary>The configure lambda's body of a stage call (`.Deploy(d => ...)`), or null.</summary>
        public static IOperation? ConfigureBody(IInvocationOperation stageCall)
        {
            foreach (IArgumentOperation argument in stageCall.Arguments)
            {
                IOperation value = Unwrap(argument.Value);
                if (value is IDelegateCreationOperation creation && Unwrap(creation.Target) is IAnonymousFunctionOperation lambda)
                {
                    return lambda.Body;
                }
            }
            return null;
        }

        /// <summary>Every call inside a stage's configure lambda, in the order written (computed once per stage call).</summary>
        public static List<IInvocationOperation> ConfigureCalls(IInvocationOperation stageCall)
        {
            var calls = new List<IInvocationOperation>();
            IOperation? body = ConfigureBody(stageCall);
            if (body != null) CollectInvocations(body, calls);
            calls.Sort((a, b) => NameSpan(a).Start.CompareTo(NameSpan(b).Start));
            return calls;
        }

        private static void CollectInvocations(IOperation operation, List<IInvocationOperation> calls)
        {
            if (operation is IInvocationOperation call) calls.Add(call);
            foreach (IOperation child in operation.ChildOperations)
            {
                CollectInvocations(child, calls);
            }
        }

        /// <summary>The span a call is reported at: from the method name to the closing parenthesis (`Migrate(m => m.Prisma())`).</summary>
        public static TextSpan NameSpan(IInvocationOperation invocation)
        {
            if (invocation.Syntax is InvocationExpressionSyntax syntax)
            {
                ExpressionSyntax expression = syntax.Expression;
                if (expression is MemberAccessExpressionSyntax member) return TextSpan.FromBounds(member.Name.SpanStart, syntax.Span.End);
                if (expression is MemberBindingExpressionSyntax binding) return TextSpan.FromBounds(binding.Name.SpanStart, syntax.Span.End);
            }
            return invocation.Syntax.Span;
        }

        public static Location NameLocation(IInvocationOperation invocation)
        {
            return Location.Create(invocation.Syntax.SyntaxTree, NameSpan(invocation));
        }
    }
}
