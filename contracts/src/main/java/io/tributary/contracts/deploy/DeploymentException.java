package io.tributary.contracts.deploy;

/** A deployment step failed, or what is on chain does not match the deployment record. */
public class DeploymentException extends Exception {

    public DeploymentException(String message) {
        super(message);
    }

    public DeploymentException(String message, Throwable cause) {
        super(message, cause);
    }
}
