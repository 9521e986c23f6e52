package io.stampede.demo;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;

/** Creates the demo's streams, or brings an existing one to the configured limits. */
public final class Streams {
    private Streams() {}

    /**
     * Creates the stream, or reconciles an existing one's mutable limits (keeping its data). A
     * stream created by an older version with {@code DiscardPolicy.Old} is switched to the wanted
     * policy here: with Old, a full SIGNALS stream silently dropped signals already answered 202.
     */
    public static void ensure(JetStreamManagement jsm, String name, String subjects, Duration duplicateWindow,
                              Duration maxAge, long maxMsgs, long maxBytes, DiscardPolicy discard)
            throws IOException, JetStreamApiException {
        StreamConfiguration wanted = StreamConfiguration.builder()
                .name(name)
                .subjects(subjects)
                .storageType(StorageType.File)
                .duplicateWindow(duplicateWindow)
                .maxAge(maxAge)
                .maxMessages(maxMsgs)
                .maxBytes(maxBytes)
                .discardPolicy(discard)
                .build();
        try {
            jsm.addStream(wanted);
        } catch (JetStreamApiException exists) {
            // Already there with other limits (or created concurrently by the other service):
            // reconcile the mutable limits, keep its data.
            StreamConfiguration current = jsm.getStreamInfo(name).getConfiguration();
            if (!current.getDuplicateWindow().equals(duplicateWindow)
                    || !current.getMaxAge().equals(maxAge)
                    || current.getMaxMsgs() != maxMsgs
                    || current.getMaxBytes() != maxBytes
                    || current.getDiscardPolicy() != discard) {
                jsm.updateStream(StreamConfiguration.builder(current)
                        .duplicateWindow(duplicateWindow)
                        .maxAge(maxAge)
                        .maxMessages(maxMsgs)
                        .maxBytes(maxBytes)
                        .discardPolicy(discard)
                        .build());
            }
        }
    }

    /** SIGNALS refuses new signals when full (the gateway answers 503) rather than dropping old ones. */
    public static void ensureSignals(JetStreamManagement jsm, DemoConfig cfg) throws IOException, JetStreamApiException {
        ensure(jsm, cfg.signalsStream(), cfg.signalsSubjectPrefix() + ".>", cfg.signalsDuplicateWindow(),
                cfg.streamMaxAge(), cfg.signalsMaxMsgs(), cfg.signalsMaxBytes(), DiscardPolicy.New);
    }

    /**
     * DECISIONS is history (Stampede's verifier reads it live): when full, the oldest decisions go.
     * Its duplicate window is what makes a decision republished after a crash count once.
     */
    public static void ensureDecisions(JetStreamManagement jsm, DemoConfig cfg) throws IOException, JetStreamApiException {
        ensure(jsm, cfg.decisionsStream(), cfg.decisionsSubjectPrefix() + ".>", cfg.decisionsDuplicateWindow(),
                cfg.streamMaxAge(), -1, cfg.streamMaxBytes(), DiscardPolicy.Old);
    }
}
