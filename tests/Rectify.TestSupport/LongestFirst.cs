using Xunit;
using Xunit.Abstractions;

namespace Rectify.TestSupport;

/// <summary>
/// Marks a test class that takes minutes, not seconds (a chaos run, a fuzz of every endpoint, a browser walk over every
/// page). <see cref="LongestFirst"/> starts such classes first, so they overlap the many short ones instead of running on
/// alone at the end of the suite.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RunsLongAttribute : Attribute;

/// <summary>
/// The order in which a test assembly starts its collections: those holding a <see cref="RunsLongAttribute"/> class first,
/// then the rest; each group in xUnit's own stable order (by the collection's id). Scheduling the longest jobs first is
/// the classic way to shorten the whole when a few jobs are much longer than the others.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public const string TypeName = "Rectify.TestSupport.LongestFirst";
    public const string AssemblyName = "Rectify.TestSupport";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => RunsLong(c) ? 0 : 1).ThenBy(c => c.UniqueID);

    private static bool RunsLong(ITestCollection collection)
    {
        // A class without [Collection] is its own collection, named after it; a named one has its definition class.
        const string prefix = "Test collection for ";
        var type = collection.CollectionDefinition
            ?? (collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal)
                ? collection.TestAssembly.Assembly.GetType(collection.DisplayName[prefix.Length..])
                : null);
        return type?.GetCustomAttributes(typeof(RunsLongAttribute)).Any() == true;
    }
}
