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

    public static void ensure(JetStreamManagement jsm, String name, String subjects, Duration duplicateWindow,
                              Duration maxAge, long maxBytes) throws IOException, JetStreamApiException {
        StreamConfiguration wanted = StreamConfiguration.builder()
                .name(name)
                .subjects(subjects)
                .storageType(StorageType.File)
                .duplicateWindow(duplicateWindow)
                .maxAge(maxAge)
                .maxBytes(maxBytes)
                .discardPolicy(DiscardPolicy.Old)
                .build();
        try {
            jsm.addStream(wanted);
        } catch (JetStreamApiException exists) {
            // Already there with other limits (or created concurrently by the other service):
            // reconcile the mutable limits, keep its data.
            StreamConfiguration current = jsm.getStreamInfo(name).getConfiguration();
            if (!current.getDuplicateWindow().equals(duplicateWindow)
                    || !current.getMaxAge().equals(maxAge)
                    || current.getMaxBytes() != maxBytes) {
                jsm.updateStream(StreamConfiguration.builder(current)
                        .duplicateWindow(duplicateWindow)
                        .maxAge(maxAge)
                        .maxBytes(maxBytes)
                        .build());
            }
        }
    }

    public static void ensureSignals(JetStreamManagement jsm, DemoConfig cfg) throws IOException, JetStreamApiException {
        ensure(jsm, cfg.signalsStream(), cfg.signalsSubjectPrefix() + ".>", cfg.signalsDuplicateWindow(),
                cfg.streamMaxAge(), cfg.streamMaxBytes());
    }

    public static void ensureDecisions(JetStreamManagement jsm, DemoConfig cfg) throws IOException, JetStreamApiException {
        ensure(jsm, cfg.decisionsStream(), cfg.decisionsSubjectPrefix() + ".>", cfg.decisionsDuplicateWindow(),
                cfg.streamMaxAge(), cfg.streamMaxBytes());
    }
}
