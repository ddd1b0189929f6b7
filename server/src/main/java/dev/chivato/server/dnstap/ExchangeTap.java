package dev.chivato.server.dnstap;

import java.util.List;

/**
 * Where the event loops hand each exchange they want recorded (dnstap, the server's own capture), never waiting.
 * Callers ask {@link #enabled()} first, so that nothing is copied when nobody records.
 */
public interface ExchangeTap {
    ExchangeTap OFF = new ExchangeTap() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void offer(DnstapEvent event) {
        }
    };

    boolean enabled();

    void offer(DnstapEvent event);

    /** Every tap of {@code taps} that is on, as one. */
    static ExchangeTap of(List<? extends ExchangeTap> taps) {
        List<ExchangeTap> on = taps.stream().filter(ExchangeTap::enabled).map(ExchangeTap.class::cast).toList();
        if (on.isEmpty()) {
            return OFF;
        }
        if (on.size() == 1) {
            return on.get(0);
        }
        return new ExchangeTap() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void offer(DnstapEvent event) {
                on.forEach(tap -> tap.offer(event));
            }
        };
    }
}
