package dev.chivato.server.web;

import dev.chivato.protocol.Explainer;
import dev.chivato.protocol.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * A message as the bytes view draws it: its octets in hex, each field the reference decoder met (offset, length,
 * meaning, the part it is in, and for a compression pointer the offset it points to), and the same text
 * {@code chivato explain} prints.
 */
final class MessageView {
    private MessageView() {
    }

    static String json(byte[] wire) {
        Explainer.Explanation explanation = Explainer.explain(wire);
        List<String> fields = new ArrayList<>();
        String part = "";
        for (Object each : explanation.parts()) {
            if (each instanceof Explainer.Heading heading) {
                part = heading.title();
                continue;
            }
            Explainer.Annotation field = (Explainer.Annotation) each;
            Json json = new Json().number("offset", field.offset()).number("length", field.length())
                    .string("meaning", field.meaning()).string("part", part);
            int target = pointerTarget(wire, field);
            if (target >= 0) {
                json.number("pointsTo", target);
            }
            fields.add(json.toString());
        }
        Json view = new Json().string("hex", Hex.format(wire)).number("length", wire.length)
                .raw("fields", Json.array(fields)).string("explain", Explainer.render(explanation));
        explanation.failure().ifPresent(failure -> view.string("failure", "offset " + failure.offset() + ": "
                + failure.reason()));
        return view.toString();
    }

    /** Where a field that is a compression pointer (two octets, the top two bits set) points, or -1. */
    static int pointerTarget(byte[] wire, Explainer.Annotation field) {
        if (field.length() != 2 || !field.meaning().startsWith("compression pointer")) {
            return -1;
        }
        int first = wire[field.offset()] & 0xff;
        if ((first & 0xc0) != 0xc0) {
            return -1;
        }
        return ((first & 0x3f) << 8) | (wire[field.offset() + 1] & 0xff);
    }
}
