using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rectify.Notifications.Tests.Support;

/// <summary>
/// Certificates made for one test and written as PEM to a temporary directory (what the SMTP server loads): a
/// self-signed server certificate, or a private CA and a server certificate it signed.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly List<X509Certificate2> owned = [];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("rectify-tls-").FullName;

    /// <summary>A server certificate for 127.0.0.1 (and "localhost"), self-signed or signed by <paramref name="issuer"/>.</summary>
    public (X509Certificate2 Certificate, string CertFile, string KeyFile) Server(string name, X509Certificate2? issuer = null, string host = "127.0.0.1")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out var ip)) san.AddIpAddress(ip);
        else san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        X509Certificate2 cert;
        if (issuer is null)
        {
            cert = request.CreateSelfSigned(notBefore, notBefore.AddDays(30));
        }
        else
        {
            using var signed = request.Create(issuer, notBefore, notBefore.AddDays(30), RandomNumberGenerator.GetBytes(12));
            cert = signed.CopyWithPrivateKey(key);
        }
        owned.Add(cert);
        var certFile = Path.Combine(Directory, name + ".crt.pem");
        var keyFile = Path.Combine(Directory, name + ".key.pem");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (cert, certFile, keyFile);
    }

    /// <summary>A private certification authority; its certificate (no key) is written to a PEM file.</summary>
    public (X509Certificate2 Certificate, string CertFile) Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=Rectify Test CA {name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-2);
        var ca = request.CreateSelfSigned(notBefore, notBefore.AddDays(60));
        owned.Add(ca);
        var certFile = Path.Combine(Directory, name + ".ca.pem");
        File.WriteAllText(certFile, ca.ExportCertificatePem());
        return (ca, certFile);
    }

    public void Dispose()
    {
        foreach (var cert in owned) cert.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a leftover temp directory is harmless */ }
    }
}
