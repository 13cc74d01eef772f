using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Rectify.Api.Tests.Import;

/// <summary>
/// An OLE compound file (MS-CFB, version 3, 512-byte sectors) written from scratch, for what Office makes of an .xlsx
/// saved with an open password (MS-OFFCRYPTO): the workbook is no zip any more but a compound file with the streams
/// <c>EncryptionInfo</c> (agile encryption, version 4.4, its XML descriptor) and <c>EncryptedPackage</c> (the package's
/// size, then the AES-encrypted zip). The bytes of the package are random here: what the importer must do is say in
/// Chinese that the file is encrypted, never try to read it.
/// </summary>
public static class CompoundFile
{
    private const uint EndOfChain = 0xFFFFFFFE, FreeSector = 0xFFFFFFFF, FatSector = 0xFFFFFFFD, NoStream = 0xFFFFFFFF;
    private const int Sector = 512;

    public static byte[] EncryptedWorkbook()
    {
        const string descriptor = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">
            <keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>
            <keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password"><p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></keyEncryptor></keyEncryptors>
            </encryption>
            """;
        var info = new byte[4096];
        BinaryPrimitives.WriteUInt16LittleEndian(info, 4);
        BinaryPrimitives.WriteUInt16LittleEndian(info.AsSpan(2), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(4), 0x40);
        Encoding.UTF8.GetBytes(descriptor).CopyTo(info, 8);
        var package = new byte[8192];
        RandomNumberGenerator.Fill(package);
        BinaryPrimitives.WriteUInt64LittleEndian(package, 8000);
        return Build(("EncryptionInfo", info), ("EncryptedPackage", package));
    }

    /// <summary>A compound file with these streams (each at least 4096 bytes, so none goes to the mini stream).</summary>
    public static byte[] Build(params (string Name, byte[] Data)[] streams)
    {
        var sectors = new List<byte[]>();
        var fat = new List<uint> { FatSector, EndOfChain };   // sector 0: the FAT, sector 1: the directory
        var starts = new List<uint>();
        foreach (var (_, data) in streams)
        {
            if (data.Length < 4096) throw new ArgumentException("streams under 4096 bytes would belong in the mini stream");
            var count = (data.Length + Sector - 1) / Sector;
            var first = (uint)(2 + sectors.Count);
            starts.Add(first);
            for (var n = 0; n < count; n++)
            {
                var sector = new byte[Sector];
                data.AsSpan(n * Sector, Math.Min(Sector, data.Length - n * Sector)).CopyTo(sector);
                sectors.Add(sector);
                fat.Add(n == count - 1 ? EndOfChain : first + (uint)n + 1);
            }
        }
        if (fat.Count > Sector / 4) throw new ArgumentException("too many sectors for one FAT sector");

        var header = new byte[Sector];
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(0x18), 0x3E);     // minor version
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(0x1A), 3);        // major version 3: 512-byte sectors
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(0x1C), 0xFFFE);   // byte order
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(0x1E), 9);        // sector shift
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(0x20), 6);        // mini sector shift
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0x2C), 1);        // FAT sectors
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0x30), 1);        // first directory sector
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0x38), 4096);     // mini stream cutoff
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0x3C), EndOfChain); // no mini FAT
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0x44), EndOfChain); // no DIFAT sectors
        for (var n = 0; n < 109; n++) BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0x4C + 4 * n), n == 0 ? 0 : FreeSector);

        var fatSector = new byte[Sector];
        for (var n = 0; n < Sector / 4; n++) BinaryPrimitives.WriteUInt32LittleEndian(fatSector.AsSpan(4 * n), n < fat.Count ? fat[n] : FreeSector);

        // Directory: the root, then the streams as a chain of right siblings (names ordered by length, as MS-CFB sorts).
        var directory = new byte[Sector];
        Entry(directory, 0, "Root Entry", 5, NoStream, streams.Length > 0 ? 1u : NoStream, EndOfChain, 0);
        var order = streams.Select((s, n) => (s.Name, s.Data, Start: starts[n])).OrderBy(s => s.Name.Length).ThenBy(s => s.Name.ToUpperInvariant(), StringComparer.Ordinal).ToList();
        for (var n = 0; n < order.Count; n++)
            Entry(directory, n + 1, order[n].Name, 2, n + 1 < order.Count ? (uint)(n + 2) : NoStream, NoStream, order[n].Start, order[n].Data.Length);
        for (var n = order.Count + 1; n < 4; n++) Entry(directory, n, "", 0, NoStream, NoStream, 0, 0);

        using var output = new MemoryStream();
        output.Write(header);
        output.Write(fatSector);
        output.Write(directory);
        foreach (var sector in sectors) output.Write(sector);
        return output.ToArray();
    }

    private static void Entry(byte[] directory, int index, string name, byte type, uint right, uint child, uint start, long size)
    {
        var e = directory.AsSpan(index * 128, 128);
        var bytes = Encoding.Unicode.GetBytes(name);
        bytes.CopyTo(e);
        BinaryPrimitives.WriteUInt16LittleEndian(e[0x40..], (ushort)(name.Length == 0 ? 0 : bytes.Length + 2));
        e[0x42] = type;
        e[0x43] = 1; // black
        BinaryPrimitives.WriteUInt32LittleEndian(e[0x44..], NoStream);  // left sibling
        BinaryPrimitives.WriteUInt32LittleEndian(e[0x48..], right);
        BinaryPrimitives.WriteUInt32LittleEndian(e[0x4C..], child);
        BinaryPrimitives.WriteUInt32LittleEndian(e[0x74..], start);
        BinaryPrimitives.WriteUInt64LittleEndian(e[0x78..], (ulong)size);
    }
}
