package dev.chivato.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;

/**
 * Once the data is loaded, the garbage of reading it (about as large again as what is kept) goes back to the
 * operating system: the heap is collected and shrunk to at most 30 % free, so that a million records resident cost
 * what they take, not what reading them took. A limit the user gave on the command line is left alone.
 */
final class HeapTrim {
    private HeapTrim() {
    }

    static void afterLoading() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm.getVMOption("MaxHeapFreeRatio").getOrigin() == VMOption.Origin.DEFAULT
                    && vm.getVMOption("MinHeapFreeRatio").getOrigin() == VMOption.Origin.DEFAULT) {
                vm.setVMOption("MinHeapFreeRatio", "10");
                vm.setVMOption("MaxHeapFreeRatio", "30");
            }
        } catch (RuntimeException e) {
            // not HotSpot, or the options cannot be set here: the collection below still helps
        }
        // The serial collector (what the JVM picks on one CPU) gives back only part of the free space per full
        // collection (0 %, 10 %, 40 %, then all of it); the others give it back on the first.
        int collections = usesSerialCollector() ? 4 : 1;
        for (int i = 0; i < collections; i++) {
            System.gc();
        }
    }

    private static boolean usesSerialCollector() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(collector -> collector.getName().equals("MarkSweepCompact"));
    }
}
