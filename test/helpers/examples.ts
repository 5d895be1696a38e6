/**
 * The scenario the tests use where any passing one will do: the contract's
 * example (a set-uid exec revokes a mem handle opened before it), and its
 * longer form with the second user's refused open.
 */
export const SETUID_MEM = `name: a set-uid exec revokes a mem handle opened before it
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/mem, flags: rw, as: m }
  - exec: { by: a, path: /usr/bin/passwd }
    expect:
      evicts: ["/proc/{a}", "/proc/{a}/mem"]
      revokes: ["/proc/{a}/mem"]
  - write: { by: a, fd: m, data: "x" }
    expect: { errno: EIO }
`;

/** The contract's complete example (scenario-format.md §5): SETUID_MEM, then another user's open is refused. */
export const CONTRACT_EXAMPLE = `${SETUID_MEM}  - spawn: { as: b, uid: 1000, gid: 100 }
  - open: { by: b, path: "/proc/{a}/mem", flags: r }
    expect: { errno: EACCES }
`;
