// The guest driver's one-line answers (guest/es2lab.c es2_reply), e.g.
//   done disk ms=1500 ops=2344 bytes=9601024 qd=8 bs=4096
//   done net-rr ms=1501 ops=812 bytes=831488
//   error disk open -2
// Pure parser: key=value tokens after the command word, numbers as numbers.

export interface GuestReply {
  ok: boolean;
  command: string;
  fields: Record<string, number>;
  /** the whole line, for logs and errors */
  line: string;
}

export function parseGuestReply(line: string): GuestReply | null {
  const t = line.trim();
  const m = /^(done|error) (\S+)(.*)$/.exec(t);
  if (!m) return null;
  const fields: Record<string, number> = {};
  for (const tok of m[3]!.trim().split(/\s+/)) {
    const kv = /^([a-z_]+)=(-?\d+)$/.exec(tok);
    if (kv) fields[kv[1]!] = Number(kv[2]);
  }
  return { ok: m[1] === 'done', command: m[2]!, fields, line: t };
}
