// The classes marked [RunsLong] (a walk over every page, every pager to its end) start first, so that none of them runs on
// alone at the end.
[assembly: TestCollectionOrderer(Rectify.TestSupport.LongestFirst.TypeName, Rectify.TestSupport.LongestFirst.AssemblyName)]
