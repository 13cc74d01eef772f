using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rectify.Notifications.Channels;

/// <summary>
/// Extra trust for the SMTP server's certificate, asked by MailKit on every TLS handshake of this pool's clients
/// (its per-client ServerCertificateValidationCallback: nothing process-wide): a pinned certificate
/// (Rectify:Smtp:TrustedCertificateThumbprint, SHA-256 or SHA-1 hex) or a private CA (Rectify:Smtp:CaCertificateFile,
/// PEM). Certificates that already validate are always accepted and nothing else is relaxed: a certificate that
/// neither validates nor matches the pin/CA is refused exactly as without this class.
/// </summary>
public sealed class SmtpCertificateTrust
{
    private readonly byte[]? pin;
    private readonly X509Certificate2Collection? roots;
    private readonly bool checkRevocation;

    public SmtpCertificateTrust(SmtpOptions options)
    {
        pin = string.IsNullOrWhiteSpace(options.TrustedCertificateThumbprint) ? null : ParseThumbprint(options.TrustedCertificateThumbprint);
        if (!string.IsNullOrWhiteSpace(options.CaCertificateFile))
        {
            roots = [];
            roots.ImportFromPemFile(options.CaCertificateFile);
            if (roots.Count == 0) throw new InvalidOperationException($"Rectify:Smtp:CaCertificateFile holds no certificate: {options.CaCertificateFile}");
        }
        checkRevocation = options.CheckRevocation;
    }

    /// <summary>The callback MailKit's SmtpClient calls (the host name was already checked into <paramref name="errors"/>).</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        return certificate is not null && Accepts(certificate, chain, errors);
    }

    /// <summary>
    /// A pinned certificate is trusted as itself (its chain and name do not matter: it is the one certificate the
    /// operator named). A private CA replaces the system roots, but the host name must still match, and revocation is
    /// checked when Rectify:Smtp:CheckRevocation asks for it (a private CA rarely publishes lists reachable from here).
    /// </summary>
    private bool Accepts(X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
        if (pin is not null)
        {
            var hash = pin.Length == 20 ? certificate.GetCertHash() : certificate.GetCertHash(HashAlgorithmName.SHA256);
            if (CryptographicOperations.FixedTimeEquals(hash, pin)) return true;
        }
        if (roots is not null && errors == SslPolicyErrors.RemoteCertificateChainErrors)
        {
            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            custom.ChainPolicy.RevocationMode = checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
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
