// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {TrainingToken} from "../src/TrainingToken.sol";
import {Test} from "./utils/Test.sol";
import {ProtocolVm} from "./mocks/ProtocolVm.sol";

contract TrainingTokenTest is Test {
    ProtocolVm internal constant pvm = ProtocolVm(address(vm));
    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    TrainingToken internal token;
    address internal owner = address(0xA11CE);

    function setUp() public {
        token = new TrainingToken(owner);
    }

    function test_MintByOwnerCreditsReceiver() public {
        pvm.prank(owner);
        token.mint(address(0xB0B), 5e18);
        vm.assertEq(token.balanceOf(address(0xB0B)), 5e18, "balance");
        vm.assertEq(token.totalSupply(), 5e18, "supply");
    }

    function test_RevertIf_MintByStranger() public {
        pvm.prank(address(0xBAD));
        vm.expectRevert(
            abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBAD))
        );
        token.mint(address(0xBAD), 1);
    }

    function test_PermitSetsAllowanceFromSignature() public {
        uint256 key = 0xB0B;
        address holder = pvm.addr(key);
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, holder, address(this), 7e18, 0, block.timestamp + 1)
        );
        bytes32 digest =
            keccak256(abi.encodePacked(hex"1901", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = pvm.sign(key, digest);
        token.permit(holder, address(this), 7e18, block.timestamp + 1, v, r, s);
        vm.assertEq(token.allowance(holder, address(this)), 7e18, "allowance");
        vm.assertEq(token.nonces(holder), 1, "nonce");
    }
}
