package com.travelapp.infra.settings;

import java.util.List;

/**
 * What the namespace's egress policies need beyond the stack's own flows: the destinations a user
 * adds with {@code extraEgress} (an SMTP relay, a node-local DNS cache, an external API).
 */
public record NetworkSettings(List<ExtraEgress> extraEgress) {

    /** A port and its protocol: TCP, UDP or SCTP. */
    public record Port(int number, String protocol) {
        public static Port tcp(int number) {
            return new Port(number, "TCP");
        }

        @Override
        public String toString() {
            return number + "/" + protocol;
        }
    }

    /** An address and TCP port: where the API server listens, when stack config says so. */
    public record Endpoint(String address, int port) {}

    /** Lets the pods of {@code from} open {@code ports} of the addresses in {@code cidr}. */
    public record ExtraEgress(String cidr, List<Port> ports, List<Workload> from) {}
}
