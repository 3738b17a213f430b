// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title TrainingToken
/// @notice The ERC-20 (with ERC-2612 permit) in which bounties are escrowed on the home chain.
///         Minted by its owner (the devnet faucet); permits let a relayer post a task for a client
///         who holds no gas.
contract TrainingToken is ERC20, ERC20Permit, Ownable {
    /// @param initialOwner The account allowed to mint.
    constructor(address initialOwner)
        ERC20("Tributary Training Token", "TRN")
        ERC20Permit("Tributary Training Token")
        Ownable(initialOwner)
    {}

    /// @notice Mints `amount` tokens to `to`; only the owner.
    /// @param to The receiver.
    /// @param amount The amount, in the token's smallest unit.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
