/*
 * A stand-in bcryptprimitives.dll for running huecast's Windows build under
 * Wine 8, whose own lacks ProcessPrng: Go 1.22 and later load it at start
 * for crypto/rand. It answers from RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has. The Wine tests build it with mingw-w64 and put it only into
 * their own Wine prefix; it is never part of a package.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
