package io.tributary.infra.demo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * What {@code ./tributary demo} writes to its report directory: {@code report.json} (every round,
 * the final accuracy, the rewards each worker received on its own chain and the escrow balance)
 * and two plots, {@code accuracy.png} and {@code gas.png}, drawn headless with JFreeChart.
 */
public record DemoReport(
        @JsonProperty("rounds") List<Round> rounds,
        @JsonProperty("final_accuracy") double finalAccuracy,
        @JsonProperty("rewards") List<Reward> rewards,
        @JsonProperty("escrow") Escrow escrow) {

    /** One round as the demo saw it. Roots and the tx hash are 0x-hex; gas is what commitRound used. */
    public record Round(
            @JsonProperty("round") int round,
            @JsonProperty("accuracy") double accuracy,
            @JsonProperty("loss") double loss,
            @JsonProperty("contributors") int contributors,
            @JsonProperty("rejected") long rejected,
            @JsonProperty("modelRoot") String modelRoot,
            @JsonProperty("contributionsRoot") String contributionsRoot,
            @JsonProperty("commitTx") String commitTx,
            @JsonProperty("commitGas") long commitGas,
            @JsonProperty("seconds") double seconds) {}

    /** TRN (home) or wTRN (participant chains) paid to one worker, in base units. */
    public record Reward(
            @JsonProperty("chain") long chain,
            @JsonProperty("worker") String worker,
            @JsonProperty("amount") BigInteger amount) {}

    /** The task's bounty: deposited = paid + refunded + still held (rounding dust). */
    public record Escrow(
            @JsonProperty("deposited") BigInteger deposited,
            @JsonProperty("paid") BigInteger paid,
            @JsonProperty("refunded") BigInteger refunded) {

        /** Whether the escrow is fully accounted for (nothing created, at most {@code dust} held back). */
        public boolean balances(BigInteger dust) {
            BigInteger held = deposited.subtract(paid).subtract(refunded);
            return held.signum() >= 0 && held.compareTo(dust) <= 0;
        }
    }

    public static final String JSON = "report.json";
    public static final String ACCURACY_PNG = "accuracy.png";
    public static final String GAS_PNG = "gas.png";

    public DemoReport {
        rounds = List.copyOf(rounds);
        rewards = List.copyOf(rewards);
    }

    /** Writes report.json, accuracy.png and gas.png into {@code dir} (created if missing). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(JSON).toFile(), this);
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(dir.resolve(ACCURACY_PNG).toFile(), accuracyChart(), 800, 480);
        ChartUtils.saveChartAsPNG(dir.resolve(GAS_PNG).toFile(), gasChart(), 800, 480);
    }

    JFreeChart accuracyChart() {
        XYSeries accuracy = new XYSeries("test accuracy");
        XYSeries loss = new XYSeries("test loss");
        for (Round r : rounds) {
            accuracy.add(r.round(), r.accuracy());
            loss.add(r.round(), r.loss());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(accuracy);
        data.addSeries(loss);
        JFreeChart chart = ChartFactory.createXYLineChart("Global model after each round", "round",
                "accuracy / loss", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xff7f0e));
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesStroke(1, new BasicStroke(2f));
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return chart;
    }

    JFreeChart gasChart() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Round r : rounds) {
            data.addValue(r.commitGas(), "commitRound gas", Integer.toString(r.round()));
        }
        JFreeChart chart = ChartFactory.createBarChart("commitRound gas on the home chain", "round", "gas",
                data, PlotOrientation.VERTICAL, false, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getRenderer().setSeriesPaint(0, new Color(0x2ca02c));
        return chart;
    }
}
