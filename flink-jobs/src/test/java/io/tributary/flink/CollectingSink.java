package io.tributary.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A sink that collects into a static list by name (the sink itself is serialized into the job). */
final class CollectingSink<T> implements Sink<T> {

    private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();
    private final String name;

    CollectingSink(String name) {
        this.name = name;
        RESULTS.put(name, new CopyOnWriteArrayList<>());
    }

    @SuppressWarnings("unchecked")
    List<T> values() {
        return new ArrayList<>((List<T>) RESULTS.get(name));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                RESULTS.get(name).add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    /**
     * A {@link CommitmentSink} collecting the calls under the same kind of static name; it reports
     * each call as a confirmed transaction of {@code gasPerCall} gas, or as nothing sent when that is 0.
     */
    static final class Calls implements CommitmentSink {
        private final String name;
        private final long gasPerCall;

        Calls(String name) {
            this(name, 0);
        }

        Calls(String name, long gasPerCall) {
            this.name = name;
            this.gasPerCall = gasPerCall;
            RESULTS.put(name, new CopyOnWriteArrayList<>());
        }

        @Override
        public OptionalLong commitRound(CommitRoundCall call) {
            RESULTS.get(name).add(call);
            return gasPerCall > 0 ? OptionalLong.of(gasPerCall) : OptionalLong.empty();
        }

        List<CommitRoundCall> values() {
            List<CommitRoundCall> out = new ArrayList<>();
            for (Object o : RESULTS.get(name)) {
                out.add((CommitRoundCall) o);
            }
            return out;
        }
    }
}
