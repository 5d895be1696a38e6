/** NetBSD <sys/errno.h>: errno values by name. Kernel errors are values, never exceptions. */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EDEADLK: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16,
  EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23,
  EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30,
  EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EAGAIN: 35, EINPROGRESS: 36, EALREADY: 37,
  ENOTSOCK: 38, EDESTADDRREQ: 39, EMSGSIZE: 40, EPROTOTYPE: 41, ENOPROTOOPT: 42,
  EPROTONOSUPPORT: 43, ESOCKTNOSUPPORT: 44, EOPNOTSUPP: 45, EPFNOSUPPORT: 46,
  EAFNOSUPPORT: 47, EADDRINUSE: 48, EADDRNOTAVAIL: 49, ENETDOWN: 50, ENETUNREACH: 51,
  ENETRESET: 52, ECONNABORTED: 53, ECONNRESET: 54, ENOBUFS: 55, EISCONN: 56, ENOTCONN: 57,
  ESHUTDOWN: 58, ETOOMANYREFS: 59, ETIMEDOUT: 60, ECONNREFUSED: 61, ELOOP: 62,
  ENAMETOOLONG: 63, EHOSTDOWN: 64, EHOSTUNREACH: 65, ENOTEMPTY: 66, EPROCLIM: 67,
  EUSERS: 68, EDQUOT: 69, ESTALE: 70, EREMOTE: 71, EBADRPC: 72, ERPCMISMATCH: 73,
  EPROGUNAVAIL: 74, EPROGMISMATCH: 75, EPROCUNAVAIL: 76, ENOLCK: 77, ENOSYS: 78, EFTYPE: 79,
  EAUTH: 80, ENEEDAUTH: 81, EIDRM: 82, ENOMSG: 83, EOVERFLOW: 84, EILSEQ: 85, ENOTSUP: 86,
  ECANCELED: 87, EBADMSG: 88, ENODATA: 89, ENOSR: 90, ENOSTR: 91, ETIME: 92, ENOATTR: 93,
  EMULTIHOP: 94, ENOLINK: 95, EPROTO: 96, EOWNERDEAD: 97, ENOTRECOVERABLE: 98,
  // Kernel-internal pseudo errors (sys/errno.h, _KERNEL): never reach userland.
  ERESTART: -3, EPASSTHROUGH: -4,
} as const;

export type Errno = keyof typeof ERRNO;
export const ERRNO_NAMES = Object.keys(ERRNO).filter((n) => ERRNO[n as Errno] > 0) as Errno[];

/** An operation's failure: the errno it returns. One frozen instance per name, shared. */
export class Err {
  constructor(readonly errno: Errno) {
    Object.freeze(this);
  }
}

const shared = new Map<Errno, Err>();
for (const name of Object.keys(ERRNO) as Errno[]) shared.set(name, new Err(name));

/** The (shared, frozen) error value for `e`. */
export function err(e: Errno): Err {
  return shared.get(e)!;
}

export function isErr(x: unknown): x is Err {
  return x instanceof Err;
}
