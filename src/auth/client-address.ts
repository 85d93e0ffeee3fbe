// The client address brute-force limits count by: IPv4 as is, IPv6 by its /64 (one subscriber's whole network).
import ipaddr from 'ipaddr.js';

/**
 * `request.ip` (the socket's peer, or the address THALAMUS_TRUST_PROXY's proxies vouch for)
 * as a counting key. An IPv4 address mapped into IPv6 counts as itself; an IPv6 address counts
 * as its /64, since one subscriber usually holds a whole /64 and could otherwise take a new
 * address for every guess.
 */
export function clientAddress(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4).concat([0, 0, 0, 0]);
  return `${new ipaddr.IPv6(parts).toString()}/64`;
}
