package com.travelapp.infra.settings;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks an IPv4 or IPv6 CIDR as NetworkPolicy's ipBlock takes it, without any name lookup. */
final class Cidr {
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}"
            + "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private Cidr() {}

    /** Why {@code text} is not an allowed CIDR, or empty when it is one. */
    static Optional<String> problem(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        boolean v4 = IPV4.matcher(address).matches();
        // Only text made of hex digits, ':' and '.' reaches InetAddress, which then parses a literal.
        if (!v4 && !IPV6.matcher(address).matches()) {
            return Optional.of("must be an IPv4 or IPv6 CIDR such as 10.0.0.25/32 or fd00::/64");
        }
        if (slash < 0) {
            return Optional.of("must end in a prefix length, e.g. " + text + (v4 ? "/32" : "/128") + " for one address");
        }
        int bits = v4 ? 32 : 128;
        byte[] bytes;
        int prefix;
        try {
            bytes = InetAddress.getByName(address).getAddress();
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (UnknownHostException | NumberFormatException e) {
            return Optional.of("must be an IPv4 or IPv6 CIDR such as 10.0.0.25/32 or fd00::/64");
        }
        if (bytes.length * 8 != bits || prefix < 0 || prefix > bits) {
            return Optional.of("must be an IPv4 or IPv6 CIDR with a prefix length from 0 to " + bits);
        }
        var value = new BigInteger(1, bytes);
        var network = value.shiftRight(bits - prefix).shiftLeft(bits - prefix);
        if (!network.equals(value)) {
            try {
                var canonical = InetAddress.getByAddress(toBytes(network, bytes.length)).getHostAddress();
                return Optional.of("has host bits set below its /" + prefix + "; the network is " + canonical + "/" + prefix);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("an address of " + bytes.length + " bytes is always valid", e);
            }
        }
        return Optional.empty();
    }

    private static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
