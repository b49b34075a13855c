/* bcryptprimitives.dll for Wine before 8.13, which does not ship one.
   Go 1.22 and later load ProcessPrng from it when a Windows program starts
   and abort if it is missing. This DLL forwards to BCryptGenRandom.
   Built by go_windows_amd64_exec into the Wine prefix's system32. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE out, SIZE_T size)
{
    while (size > 0) {
        /* BCryptGenRandom takes a ULONG length: feed it in chunks. */
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (BCryptGenRandom(NULL, out, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        out += chunk;
        size -= chunk;
    }
    return TRUE;
}

/* Entry point: the DLL is linked without the C runtime. */
BOOL WINAPI DllMainCRTStartup(HINSTANCE inst, DWORD why, LPVOID unused)
{
    (void)inst;
    (void)why;
    (void)unused;
    return TRUE;
}
