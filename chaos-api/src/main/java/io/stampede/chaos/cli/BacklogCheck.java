package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.reason;

import io.nats.client.Connection;
import io.nats.client.api.ConsumerInfo;
import io.stampede.system.SystemFile;

/** The consumer whose backlog "overdue" watches exists. */
final class BacklogCheck {
    private final CheckReport report;

    BacklogCheck(CheckReport report) {
        this.report = report;
    }

    void check(Connection nats, SystemFile.Backlog b) {
        String which = b.stream() + "/" + b.consumer();
        try {
            ConsumerInfo ci = nats.jetStreamManagement().getConsumerInfo(b.stream(), b.consumer());
            report.ok("backlog", "consumer " + which + " found (pending " + ci.getNumPending() + ", ack pending " + ci.getNumAckPending()
                    + (b.target() == null ? "" : "; target " + b.target()) + ")");
        } catch (Exception e) {
            report.fail("backlog", "consumer " + which + " not found: " + reason(e));
        }
    }
}
