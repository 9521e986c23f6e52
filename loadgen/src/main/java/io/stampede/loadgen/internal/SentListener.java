package io.stampede.loadgen.internal;

/**
 * Told about originals before they are handed to NATS (an outcome may arrive before publish()
 * even returns), and again if the hand-over or the JetStream ack failed.
 */
public interface SentListener {
    SentListener NONE = new SentListener() {
        @Override
        public void sending(long seq) { }

        @Override
        public void failed(long seq) { }
    };

    void sending(long seq);

    void failed(long seq);
}
