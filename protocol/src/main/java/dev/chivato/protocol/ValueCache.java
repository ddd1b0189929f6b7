package dev.chivato.protocol;

import java.util.function.IntFunction;

/**
 * Shared instances of a small immutable value (a type, class, opcode or rcode) for the numbers that occur most, so
 * the decoder does not build a new object for every field it reads. Racing threads may each build one; both are
 * equal, so that is harmless.
 *
 * <p>How to read this file: an array indexed by number for the small numbers, built on first use; {@code get} is
 * all there is.
 */
final class ValueCache<T> {
    private final Object[] values;
    private final IntFunction<T> factory;

    ValueCache(int size, IntFunction<T> factory) {
        this.values = new Object[size];
        this.factory = factory;
    }

    @SuppressWarnings("unchecked")
    T get(int value) {
        if (value < 0 || value >= values.length) {
            return factory.apply(value);
        }
        Object cached = values[value];
        if (cached == null) {
            cached = factory.apply(value);
            values[value] = cached;
        }
        return (T) cached;
    }
}
