using System.Diagnostics;
// DOTNET_STARTUP_HOOKS=StartupJit.dll (bench/profile/startup-jit.sh): when the first HTTP request ends, appends the process's
// JIT figures so far (time, methods, IL bytes), its assemblies and its CPU time to $JITHOOK_OUT.
internal class StartupHook
{
    private static int _done;

    public static void Initialize()
    {
        var file = Environment.GetEnvironmentVariable("JITHOOK_OUT") ?? "/dev/stderr";
        var label = Environment.GetEnvironmentVariable("JITHOOK_LABEL") ?? "?";
        DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name != "Microsoft.AspNetCore") return;
            listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
            {
                if (e.Key != "Microsoft.AspNetCore.Hosting.EndRequest" || Interlocked.Exchange(ref _done, 1) == 1) return;
                var p = Process.GetCurrentProcess();
                var up = DateTime.Now - p.StartTime;
                File.AppendAllText(file, $"{label} up_ms={up.TotalMilliseconds:0} cpu_ms={p.TotalProcessorTime.TotalMilliseconds:0} jit_ms={System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0} jit_methods={System.Runtime.JitInfo.GetCompiledMethodCount()} jit_il_bytes={System.Runtime.JitInfo.GetCompiledILBytes()} assemblies={AppDomain.CurrentDomain.GetAssemblies().Length}\n");
            }), name => name == "Microsoft.AspNetCore.Hosting.EndRequest" || name == "Microsoft.AspNetCore.Hosting.HttpRequestIn");
        }));
    }

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnCompleted() { }
        public void OnError(Exception error) { }
        public void OnNext(T value) => next(value);
    }
}
