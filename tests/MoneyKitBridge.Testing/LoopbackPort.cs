using System.Net;
using System.Net.Sockets;

namespace MoneyKitBridge.Testing;

/// <summary>Ports for app processes a test starts on loopback.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A free loopback port below the system's ephemeral range (32768 and up on Linux). The app binds it only after this
    /// returns, so a port the system handed out could be taken meanwhile by the other test projects running in parallel,
    /// which bind ephemeral ports all the time; then a test talked to another project's app.
    /// </summary>
    /// <exception cref="InvalidOperationException">No free port was found in 200 tries.</exception>
    public static int Free()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }

        throw new InvalidOperationException("No free loopback port between 20000 and 32000.");
    }
}
