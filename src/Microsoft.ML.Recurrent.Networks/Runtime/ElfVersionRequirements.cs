using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF file.
/// </summary>
/// <remarks>
/// Only one edit is offered: marking a required version as weak (VER_FLG_WEAK), which tells the dynamic loader
/// to accept a library that lacks that version. It is safe only for versions whose symbols are never called;
/// see <see cref="LibTorchSharpRepair"/> for why that holds for GLIBCXX_3.4.32 in LibTorchSharp.
/// </remarks>
internal static class ElfVersionRequirements
{
    private const uint SectionTypeGnuVersionNeed = 0x6ffffffe;
    private const ushort VersionFlagWeak = 0x2;

    /// <summary>A version one library requires of another, and where its flags live in the file.</summary>
    internal sealed record Requirement(string Library, string Version, bool IsWeak, long FlagsOffset);

    /// <summary>Lists every version requirement of the ELF image, or an empty list for a file that is not 64-bit little-endian ELF.</summary>
    public static IReadOnlyList<Requirement> Read(byte[] image)
    {
        var result = new List<Requirement>();
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F'
            || image[4] != 2 /* 64-bit */ || image[5] != 1 /* little-endian */)
            return result;

        var span = image.AsSpan();
        long sectionTableOffset = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]));
        int sectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(span[58..]);
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(span[60..]);

        for (int s = 0; s < sectionCount; s++)
        {
            var header = Slice(image, sectionTableOffset + (long)s * sectionHeaderSize, 64);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != SectionTypeGnuVersionNeed)
                continue;

            long sectionOffset = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]));
            int stringSectionIndex = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
            int entryCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
            var stringHeader = Slice(image, sectionTableOffset + (long)stringSectionIndex * sectionHeaderSize, 64);
            long stringsOffset = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(stringHeader[24..]));

            long needOffset = sectionOffset;
            for (int n = 0; n < entryCount; n++)
            {
                var need = Slice(image, needOffset, 16);
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(need[2..]);
                string library = ReadString(image, stringsOffset + BinaryPrimitives.ReadUInt32LittleEndian(need[4..]));
                long auxOffset = needOffset + BinaryPrimitives.ReadUInt32LittleEndian(need[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    var aux = Slice(image, auxOffset, 16);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(aux[4..]);
                    string version = ReadString(image, stringsOffset + BinaryPrimitives.ReadUInt32LittleEndian(aux[8..]));
                    result.Add(new Requirement(library, version, (flags & VersionFlagWeak) != 0, auxOffset + 4));
                    auxOffset += BinaryPrimitives.ReadUInt32LittleEndian(aux[12..]);
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(need[12..]);
                if (next == 0)
                    break;
                needOffset += next;
            }
        }
        return result;
    }

    /// <summary>Marks a requirement weak in the image (in memory).</summary>
    public static void MarkWeak(byte[] image, Requirement requirement)
    {
        var flags = image.AsSpan(checked((int)requirement.FlagsOffset), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(flags, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(flags) | VersionFlagWeak));
    }

    private static ReadOnlySpan<byte> Slice(byte[] image, long offset, int length)
    {
        if (offset < 0 || offset + length > image.Length)
            throw new InvalidDataException($"ELF structure points outside the file (offset {offset}, length {length}, file size {image.Length}).");
        return image.AsSpan((int)offset, length);
    }

    private static string ReadString(byte[] image, long offset)
    {
        if (offset < 0 || offset >= image.Length)
            throw new InvalidDataException($"ELF string offset {offset} is outside the file.");
        int end = Array.IndexOf(image, (byte)0, (int)offset);
        if (end < 0)
            end = image.Length;
        return Encoding.ASCII.GetString(image, (int)offset, end - (int)offset);
    }
}
