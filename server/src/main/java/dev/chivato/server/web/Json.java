package dev.chivato.server.web;

import dev.chivato.server.log.LogFormat;

/** A JSON object written field by field, for the page's API: strings escaped as the JSON log escapes them. */
final class Json {
    private final StringBuilder text = new StringBuilder();
    private boolean first = true;

    Json() {
        text.append('{');
    }

    private StringBuilder key(String name) {
        if (!first) {
            text.append(',');
        }
        first = false;
        LogFormat.appendJsonString(text, name);
        return text.append(':');
    }

    Json string(String name, String value) {
        if (value == null) {
            key(name).append("null");
        } else {
            LogFormat.appendJsonString(key(name), value);
        }
        return this;
    }

    Json number(String name, long value) {
        key(name).append(value);
        return this;
    }

    Json bool(String name, boolean value) {
        key(name).append(value);
        return this;
    }

    /** A value already written as JSON (an array or object). */
    Json raw(String name, String json) {
        key(name).append(json);
        return this;
    }

    /** A JSON array of values already written as JSON. */
    static String array(Iterable<String> values) {
        StringBuilder array = new StringBuilder("[");
        for (String value : values) {
            if (array.length() > 1) {
                array.append(',');
            }
            array.append(value);
        }
        return array.append(']').toString();
    }

    static String quoted(String value) {
        StringBuilder quoted = new StringBuilder();
        LogFormat.appendJsonString(quoted, value);
        return quoted.toString();
    }

    @Override
    public String toString() {
        return text + "}";
    }
}
