using Marten;
using Marten.Linq.MatchesSql;
using Weasel.Postgresql.SqlGeneration;

namespace Vorgang.Projections.Queues;

/// <summary>
/// A second party's lists of the cases addressed to it, read from the queue's rows (<see cref="QueueItem.AwaitedBy"/>,
/// <see cref="QueueItem.AddressedTo"/>): what waits for it now, and every case the process has turned to it with. Each
/// finds the rows of the caller's addressees (<c>PartyAccess.AddresseesOf</c>) through a partial inverted index, so it
/// reads a school's few hundred rows, never the city's million, and orders only those.
/// </summary>
public static class PartyLists
{
    public const string AwaitedIndex = "mt_doc_queueitem_idx_awaited", AddressedIndex = "mt_doc_queueitem_idx_addressed";

    // The indexes' predicates, repeated in the queries so that PostgreSQL sees that the partial indexes answer them.
    public const string AwaitedPredicate = "cardinality(awaited_by) > 0", AddressedPredicate = "cardinality(addressed_to) > 0";

    /// <summary>The open cases that wait for one of the addressees now (a state that offers the party an action).</summary>
    public static IQueryable<QueueItem> Waiting(IQuerySession session, IReadOnlyList<string> addressees) =>
        session.Query<QueueItem>().Where(x => x.IsOpen && x.MatchesSql(Overlaps(AwaitedPredicate, "awaited_by", addressees)));

    /// <summary>Every case addressed to one of the addressees, open or closed, waiting for it or not.</summary>
    public static IQueryable<QueueItem> Addressed(IQuerySession session, IReadOnlyList<string> addressees) =>
        session.Query<QueueItem>().Where(x => x.MatchesSql(Overlaps(AddressedPredicate, "addressed_to", addressees)));

    /// <summary>Most urgent first, as the team's queue orders its cases (decision 15), then the oldest.</summary>
    public static IQueryable<QueueItem> MostUrgentFirst(this IQueryable<QueueItem> query) =>
        query.OrderBy(x => x.OrderStartBy).ThenBy(x => x.OrderDueOn).ThenBy(x => x.SubmittedAt).ThenBy(x => x.Id);

    /// <summary>The newest first.</summary>
    public static IQueryable<QueueItem> NewestFirst(this IQueryable<QueueItem> query) =>
        query.OrderByDescending(x => x.SubmittedAt).ThenByDescending(x => x.Id);

    // One parameter holding the whole array (not one per element): "&&" is "has an element in common with".
    private static WhereFragment Overlaps(string predicate, string column, IReadOnlyList<string> addressees) =>
        new($"{predicate} and {column} && ?", new object[] { addressees.ToArray() });
}
