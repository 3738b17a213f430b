package io.tributary.flink;

/**
 * A model registered in the home chain's {@code ModelRegistry} ({@code ModelRegistered} in
 * {@code chain.events}): where its initial-model file is and the root it must have (FORMAT.md
 * section 9). Carries the original Kafka record so that a model that cannot be used is
 * dead-lettered with its bytes. A Flink POJO.
 */
public class ModelInfo {

    public long modelId;
    public byte[] archHash;
    public byte[] initialRoot;
    public String uri;
    public byte[] rawKey;
    public byte[] rawValue;
    public int partition = -1;
    public long offset = -1;

    public ModelInfo() {}

    @Override
    public String toString() {
        return "ModelInfo{" + modelId + ", " + uri + '}';
    }
}
