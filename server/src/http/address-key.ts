// What a per-address rate limit counts against. One IPv6 host is normally given
// a whole /64 (2^64 addresses), so counting each address on its own gives it a
// fresh budget per request: IPv6 addresses count by their /64 prefix. An
// IPv4-mapped IPv6 address (::ffff:1.2.3.4) is that IPv4 address.
import { isIPv4, isIPv6 } from "node:net";

export function addressKey(address: string): string {
  const ip = address.replace(/%.*$/, ""); // a zone id (fe80::1%eth0) names an interface, not a host
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return address;
  const groups = expandIPv6(ip);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/** The 8 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail as two groups). */
function expandIPv6(ip: string): number[] {
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const hex = tail
    ? ip.slice(0, tail.index) + [((+tail[1]! << 8) | +tail[2]!).toString(16), ((+tail[3]! << 8) | +tail[4]!).toString(16)].join(":")
    : ip;
  const [head, rest] = hex.split("::") as [string, string | undefined];
  const parse = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(rest ?? "");
  return rest === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
