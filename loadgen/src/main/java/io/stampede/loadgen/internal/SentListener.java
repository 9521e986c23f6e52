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

    /** Both, in this order ({@code b} may be null). */
    static SentListener both(SentListener a, SentListener b) {
        if (b == null) {
            return a;
        }
        return new SentListener() {
            @Override
            public void sending(long seq) {
                a.sending(seq);
                b.sending(seq);
            }

            @Override
            public void failed(long seq) {
                a.failed(seq);
                b.failed(seq);
            }
        };
    }
}
