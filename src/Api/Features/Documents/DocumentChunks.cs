using System.Security.Cryptography;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Vorgang.Workflows.Cases;
using Vorgang.Workflows.Privacy;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Vorgang.Api.Features.Documents;

/// <summary>
/// The bytes of the cases' documents: table <c>vorgang.document_chunks</c>, one row per encrypted chunk of
/// <see cref="DocumentCipher.ChunkSize"/> plaintext bytes (decision 45). Written through the session's own connection
/// inside its transaction, so a document's rows commit with its <c>document_uploaded</c> event or not at all.
/// </summary>
public static class DocumentChunks
{
    public const string TableName = "document_chunks";
    private static string Table => $"{Hosting.VorgangSetup.Schema}.{TableName}";

    internal static void AddSchema(StoreOptions store)
    {
        var table = new Table(new PostgresqlObjectName(store.DatabaseSchemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("document_id").AsPrimaryKey();
        table.AddColumn<int>("chunk_index").AsPrimaryKey();
        table.AddColumn<string>("case_number").NotNull();
        table.AddColumn("data", "bytea").NotNull();
        // The erasure deletes a case's rows by its number.
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_case_number") { Columns = ["case_number"] });
        store.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (<paramref name="length"/> bytes) chunk by chunk into the session's transaction
    /// (binary COPY) and returns the SHA-256 (hex) of the plaintext written. Nothing is committed here.
    /// </summary>
    public static async Task<string> WriteAsync(IDocumentSession session, DataKey key, Guid documentId, Stream plaintext, long length, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)session.Connection!;
        var count = ChunkCount(length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[DocumentCipher.ChunkSize];
        await using (var import = await connection.BeginBinaryImportAsync(
            $"copy {Table} (document_id, chunk_index, case_number, data) from stdin (format binary)", ct))
        {
            for (var index = 0; index < count; index++)
            {
                var want = (int)Math.Min(DocumentCipher.ChunkSize, length - (long)index * DocumentCipher.ChunkSize);
                await plaintext.ReadExactlyAsync(buffer.AsMemory(0, want), ct);
                hash.AppendData(buffer, 0, want);
                await import.StartRowAsync(ct);
                await import.WriteAsync(documentId, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(index, NpgsqlDbType.Integer, ct);
                await import.WriteAsync(key.CaseNumber, NpgsqlDbType.Text, ct);
                await import.WriteAsync(DocumentCipher.Encrypt(key, documentId, index, index == count - 1, buffer.AsSpan(0, want)), NpgsqlDbType.Bytea, ct);
            }
            await import.CompleteAsync(ct);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Decrypts the document's chunks in order into <paramref name="output"/>, one chunk in memory at a time. Fails (and
    /// writes no further) when a chunk is missing, moved or altered.
    /// </summary>
    public static async Task CopyToAsync(NpgsqlDataSource dataSource, DataKey key, CaseDocument document, Stream output, CancellationToken ct)
    {
        var count = ChunkCount(document.Length);
        await using var command = dataSource.CreateCommand($"select chunk_index, data from {Table} where document_id = @id and case_number = @case order by chunk_index");
        command.Parameters.AddWithValue("id", document.Id);
        command.Parameters.AddWithValue("case", key.CaseNumber);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        var plaintext = new byte[DocumentCipher.ChunkSize];
        var expected = 0;
        while (await reader.ReadAsync(ct))
        {
            var index = reader.GetInt32(0);
            if (index != expected || index >= count) throw new CryptographicException($"Document {document.Id}: chunk {expected} is missing.");
            var chunk = await reader.GetFieldValueAsync<byte[]>(1, ct);
            var length = DocumentCipher.Decrypt(key, document.Id, index, index == count - 1, chunk, plaintext);
            await output.WriteAsync(plaintext.AsMemory(0, length), ct);
            expected++;
        }
        if (expected != count) throw new CryptographicException($"Document {document.Id}: {count - expected} chunk(s) missing at the end.");
    }

    /// <summary>Deletes every chunk of the case in the session's transaction (the erasure: the key is gone anyway, the rows need not stay).</summary>
    public static void DeleteFor(IDocumentSession session, string caseNumber) =>
        session.QueueSqlCommand($"delete from {Table} where case_number = ?", caseNumber);

    private static int ChunkCount(long length) => (int)((length + DocumentCipher.ChunkSize - 1) / DocumentCipher.ChunkSize);
}
