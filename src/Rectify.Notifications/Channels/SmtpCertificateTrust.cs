using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rectify.Notifications.Channels;

/// <summary>
/// Extra trust for the SMTP server's certificate, checked on every STARTTLS handshake: a pinned certificate
/// (Rectify:Smtp:TrustedCertificateThumbprint, SHA-256 or SHA-1 hex) or a private CA (Rectify:Smtp:CaCertificateFile,
/// PEM). Certificates that already validate are always accepted and nothing else is relaxed: another host, or a
/// certificate that neither validates nor matches the pin/CA, is refused exactly as without this class.
/// <para>
/// Why process-wide state: System.Net.Mail.SmtpClient has no per-client validation hook; its SslStream takes
/// ServicePointManager.ServerCertificateValidationCallback. So one callback is installed (once) and consults the
/// rules of the SMTP pools alive in this process, matched by the host name the handshake is for; a pool removes its
/// rule when disposed. Any callback installed before is still asked for everything this one does not accept.
/// </para>
/// </summary>
public static class SmtpCertificateTrust
{
    private sealed record Rule(string Host, byte[]? Pin, X509Certificate2Collection? Roots);

    private static readonly Lock Gate = new();
    private static List<Rule> rules = [];
    private static RemoteCertificateValidationCallback? previous;
    private static bool installed;

    /// <summary>Registers the pool's trust rule; null when the options ask for no extra trust.</summary>
    public static IDisposable? Register(SmtpOptions options)
    {
        var pin = string.IsNullOrWhiteSpace(options.TrustedCertificateThumbprint) ? null : ParseThumbprint(options.TrustedCertificateThumbprint);
        X509Certificate2Collection? roots = null;
        if (!string.IsNullOrWhiteSpace(options.CaCertificateFile))
        {
            roots = [];
            roots.ImportFromPemFile(options.CaCertificateFile);
            if (roots.Count == 0) throw new InvalidOperationException($"Rectify:Smtp:CaCertificateFile holds no certificate: {options.CaCertificateFile}");
        }
        if ((pin is null && roots is null) || string.IsNullOrWhiteSpace(options.Host)) return null;
        var rule = new Rule(options.Host.Trim(), pin, roots);
        lock (Gate)
        {
            if (!installed)
            {
#pragma warning disable SYSLIB0014 // the only certificate hook SmtpClient has (see the class comment)
                previous = ServicePointManager.ServerCertificateValidationCallback;
                ServicePointManager.ServerCertificateValidationCallback = Validate;
#pragma warning restore SYSLIB0014
                installed = true;
            }
            rules = [.. rules, rule];
        }
        return new Registration(rule);
    }

    private sealed class Registration(Rule rule) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate) rules = [.. rules.Where(r => !ReferenceEquals(r, rule))];
        }
    }

    private static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is not null && sender is SslStream stream)
        {
            var host = stream.TargetHostName;
            foreach (var rule in Volatile.Read(ref rules))
            {
                if (string.Equals(rule.Host, host, StringComparison.OrdinalIgnoreCase) && Accepts(rule, certificate, chain, errors))
                    return true;
            }
        }
        return previous?.Invoke(sender, certificate, chain, errors) ?? false;
    }

    /// <summary>
    /// A pinned certificate is trusted as itself (its chain and name do not matter: it is the one certificate the
    /// operator named). A private CA replaces the system roots, but the host name must still match.
    /// </summary>
    private static bool Accepts(Rule rule, X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
        if (rule.Pin is { } pin)
        {
            var hash = pin.Length == 20 ? certificate.GetCertHash() : certificate.GetCertHash(HashAlgorithmName.SHA256);
            if (CryptographicOperations.FixedTimeEquals(hash, pin)) return true;
        }
        if (rule.Roots is { } roots && errors == SslPolicyErrors.RemoteCertificateChainErrors)
        {
            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            // A private CA rarely publishes revocation lists reachable from the application's network.
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
                foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            return custom.Build(leaf);
        }
        return false;
    }

    /// <summary>Hex, any case, with or without ':' or spaces; 40 digits (SHA-1) or 64 (SHA-256).</summary>
    public static byte[] ParseThumbprint(string text)
    {
        var hex = new string([.. text.Where(Uri.IsHexDigit)]);
        if (hex.Length is not (40 or 64) || hex.Length != text.Count(c => c is not (':' or ' ' or '-')))
            throw new InvalidOperationException("Rectify:Smtp:TrustedCertificateThumbprint must be a SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint");
        return Convert.FromHexString(hex);
    }
}
