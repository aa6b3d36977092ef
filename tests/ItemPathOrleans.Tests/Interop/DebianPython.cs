using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace ItemPathOrleans.Tests.Interop;

/// <summary>
/// Runs a check script in Debian's Python (<c>/usr/bin/python3</c>, isolated: no PYTHON* variables,
/// no user site), with its request as JSON on stdin (never on the command line, where tokens and
/// keys would show) and its answer as JSON on stdout. Exit code 3 means a module is missing.
/// </summary>
public static class DebianPython
{
    public const string Python = "/usr/bin/python3";

    /// <param name="packages">The Debian packages the script needs, named in the failure messages.</param>
    public static async Task<JsonElement> RunAsync(string script, object request, string packages)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-I");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{Python} cannot be started ({ex.Message}): apt-get install python3 {packages}.");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(JsonSerializer.Serialize(request));
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new TimeoutException($"{Python} did not answer within 30 s");
            }
            var output = await stdout;
            if (process.ExitCode == 3 && output.Contains("importError", StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException($"{Python} cannot import a module: apt-get install {packages}. Python said: {output.Trim()}");
            if (process.ExitCode != 0)
                throw new Xunit.Sdk.XunitException($"{Python} exited with {process.ExitCode}: {await stderr}{output}");
            return JsonDocument.Parse(output).RootElement.Clone();
        }
    }
}
