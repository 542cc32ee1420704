namespace Vorgang.Workflows.Cases;

/// <summary>
/// How far one side of a case's thread has read the other side's messages (decision 49): <see cref="Read"/> of them, the
/// last at <see cref="ReadAt"/>. A document beside the case, not an event: reading must not change the case's version.
/// One per case and side (<c>citizen</c>, <c>office</c>); the office reads as one, whoever of the team opens the thread.
/// </summary>
public sealed record MessageReadMarker(string Id, string CaseNumber, string Side, int Read, DateTimeOffset ReadAt)
{
    public static string IdFor(string caseNumber, string side) => $"{caseNumber}/{side}";

    /// <summary>The other side's messages that <paramref name="side"/> has not read, of <paramref name="written"/> in all.</summary>
    public static int Unread(int written, MessageReadMarker? marker) => Math.Max(0, written - (marker?.Read ?? 0));

    /// <summary>The messages of the other side that <paramref name="side"/> of <paramref name="state"/> has not read.</summary>
    public static int Unread(Case state, string side, MessageReadMarker? marker) =>
        Unread(side == MessageSides.Citizen ? state.OfficeMessages : state.CitizenMessages, marker);
}
