using System;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace GiftStudio.Sandbox.Storage;

/// <summary>One queued write of <see cref="Database.WriteAsync{T}"/>: run on the writer, then
/// completed (or failed) once its group is committed or rolled back.</summary>
internal abstract class WriteItem
{
    public abstract void Run(SqliteConnection connection);
    public abstract void Failed(Exception error);
    public abstract void Complete();
}

internal sealed class WriteItem<T>(Func<SqliteConnection, T> work) : WriteItem
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    public override void Run(SqliteConnection connection) => _result = work(connection);

    public override void Failed(Exception error) => _error ??= error;

    public override void Complete()
    {
        if (_error is null) _completion.TrySetResult(_result!);
        else _completion.TrySetException(_error);
    }
}
