// Each browser test class runs its own app and Chromium; two at a time keeps a two-core machine responsive.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
