package io.tributary.trainer;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The DL4J network of an {@link MlpSpec} and its flat float32 parameter vector, the form in which
 * the global model travels (wire format dimension = {@link MlpSpec#parameterCount()}).
 *
 * <p>Flat layout: DL4J's own parameter order, layer by layer, each layer's weight matrix
 * ({@code nIn x nOut}, column-major as DL4J stores it) followed by its bias. The initial parameters
 * are a function of the spec's seed alone (Xavier initialization drawn from the seeded ND4J RNG).
 */
public final class MlpModel {

    static {
        Nd4jRuntime.configure();
    }

    private final MlpSpec spec;
    private final MultiLayerConfiguration configuration;

    public MlpModel(MlpSpec spec) {
        this.spec = spec;
        this.configuration = configuration(spec);
    }

    public MlpSpec spec() {
        return spec;
    }

    public int parameterCount() {
        return spec.parameterCount();
    }

    /** The seeded DL4J configuration of {@code spec}, float32 throughout. */
    static MultiLayerConfiguration configuration(MlpSpec spec) {
        IUpdater updater = switch (spec.optimizer()) {
            case SGD -> new Sgd(spec.learningRate());
            case ADAM -> new Adam(spec.learningRate());
        };
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(updater)
                .list();
        int in = spec.inputs();
        for (int h : spec.hidden()) {
            layers.layer(new DenseLayer.Builder().nIn(in).nOut(h).activation(Activation.RELU).build());
            in = h;
        }
        layers.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(in).nOut(spec.outputs()).activation(Activation.SOFTMAX).build());
        return layers.build();
    }

    /** A fresh network (new optimizer state) holding the seeded initial parameters. */
    public MultiLayerNetwork newNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration.clone());
        net.init();
        return net;
    }

    /** A fresh network (new optimizer state) holding a copy of {@code params}. */
    public MultiLayerNetwork newNetwork(float[] params) {
        checkLength(params);
        MultiLayerNetwork net = new MultiLayerNetwork(configuration.clone());
        net.init(Nd4j.create(params, new long[] {1, params.length}, 'c'), false);
        return net;
    }

    /** The initial model of the task: deterministic given the spec's seed. */
    public float[] initialParams() {
        return flatParams(newNetwork());
    }

    /** A copy of the network's parameters as a flat float32 vector. */
    public static float[] flatParams(MultiLayerNetwork net) {
        INDArray p = net.params();
        return p.dataType() == DataType.FLOAT ? p.toFloatVector() : p.castTo(DataType.FLOAT).toFloatVector();
    }

    /** Overwrites the network's parameters with {@code params}. */
    public void setFlatParams(MultiLayerNetwork net, float[] params) {
        checkLength(params);
        net.setParams(Nd4j.create(params, new long[] {1, params.length}, 'c'));
    }

    private void checkLength(float[] params) {
        if (params.length != spec.parameterCount()) {
            throw new IllegalArgumentException("flat model of " + params.length + " floats, " + spec + " has "
                    + spec.parameterCount());
        }
    }
}
