// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";
import {Test} from "./utils/Test.sol";
import {ProtocolVm} from "./mocks/ProtocolVm.sol";

contract ModelRegistryTest is Test {
    ProtocolVm internal constant pvm = ProtocolVm(address(vm));

    ModelRegistry internal registry;
    address internal owner = address(0xA11CE);
    address internal coordinator = address(0xC00D);

    function setUp() public {
        registry = new ModelRegistry(owner);
        pvm.prank(owner);
        registry.setCoordinator(coordinator);
    }

    function test_RegisterModelAssignsSequentialIdsAndKeepsRecord() public {
        uint64 first = registry.registerModel(bytes32("arch"), bytes32("init"), "ipfs://a");
        pvm.prank(address(0xB0B));
        uint64 second = registry.registerModel(bytes32("arch2"), bytes32("init2"), "ipfs://b");
        vm.assertEq(first, 1, "first id");
        vm.assertEq(second, 2, "second id");
        (address modelOwner, bytes32 archHash, bytes32 initialRoot, string memory uri) =
            registry.model(second);
        pvm.assertEq(modelOwner, address(0xB0B), "owner");
        vm.assertEq(archHash, bytes32("arch2"), "arch");
        vm.assertEq(initialRoot, bytes32("init2"), "initial root");
        vm.assertEq(bytes(uri), bytes("ipfs://b"), "uri");
        vm.assertEq(registry.headRoot(second), bytes32("init2"), "head is initial root");
        vm.assertTrue(registry.modelExists(second), "exists");
        vm.assertFalse(registry.modelExists(3), "3 does not exist");
        vm.assertEq(registry.modelCount(), 2, "count");
    }

    function test_RevertIf_RegisterModelWithZeroHash() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistryZeroHash.selector));
        registry.registerModel(bytes32(0), bytes32("init"), "");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistryZeroHash.selector));
        registry.registerModel(bytes32("arch"), bytes32(0), "");
    }

    function test_AppendCheckpointGrowsLineageFromHead() public {
        uint64 id = registry.registerModel(bytes32("arch"), bytes32("r0"), "");
        pvm.startPrank(coordinator);
        bytes32 parent1 = registry.appendCheckpoint(id, 7, 0, bytes32("r1"));
        bytes32 parent2 = registry.appendCheckpoint(id, 7, 1, bytes32("r2"));
        pvm.stopPrank();
        vm.assertEq(parent1, bytes32("r0"), "first parent is the initial root");
        vm.assertEq(parent2, bytes32("r1"), "second parent is the first checkpoint");
        vm.assertEq(registry.checkpointCount(id), 2, "lineage length");
        IModelRegistry.Checkpoint memory c = registry.checkpoint(id, 1);
        vm.assertEq(c.taskId, 7, "task");
        vm.assertEq(c.round, 1, "round");
        vm.assertEq(c.modelRoot, bytes32("r2"), "root");
        vm.assertEq(c.parentRoot, bytes32("r1"), "parent");
        vm.assertEq(registry.headRoot(id), bytes32("r2"), "head");
    }

    function test_RevertIf_AppendCheckpointByStranger() public {
        uint64 id = registry.registerModel(bytes32("arch"), bytes32("r0"), "");
        vm.expectRevert(
            abi.encodeWithSelector(
                ModelRegistry.ModelRegistryNotCoordinator.selector, address(this)
            )
        );
        registry.appendCheckpoint(id, 1, 0, bytes32("r1"));
    }

    function test_RevertIf_AppendCheckpointToUnknownModel() public {
        pvm.prank(coordinator);
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.ModelRegistryUnknownModel.selector, uint64(9))
        );
        registry.appendCheckpoint(9, 1, 0, bytes32("r1"));
    }

    function test_RevertIf_AppendCheckpointWithZeroRoot() public {
        uint64 id = registry.registerModel(bytes32("arch"), bytes32("r0"), "");
        pvm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistryZeroHash.selector));
        registry.appendCheckpoint(id, 1, 0, bytes32(0));
    }

    function test_SetCoordinatorByOwner() public {
        pvm.prank(owner);
        registry.setCoordinator(address(0xD00D));
        pvm.assertEq(registry.coordinator(), address(0xD00D), "coordinator");
    }

    function test_RevertIf_SetCoordinatorByStranger() public {
        vm.expectRevert(
            abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this))
        );
        registry.setCoordinator(address(0xD00D));
    }

    function test_RevertIf_SetCoordinatorToZero() public {
        pvm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelRegistryZeroCoordinator.selector));
        registry.setCoordinator(address(0));
    }
}
