// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AnchorRegistry
/// @notice Records the block in which each Merkle root of evidence was anchored.
/// @dev One root per batch; the cost of `anchor` does not depend on the batch's tree size,
///      which is only carried in the event. `anchoredAt` is the stable interface third-party
///      verifiers call.
contract AnchorRegistry is AccessControl {
    /// @notice Role allowed to anchor roots.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @dev Both values fit one storage slot, so an anchor costs one cold SSTORE.
    struct Anchor {
        uint64 blockNumber;
        uint64 timestamp;
    }

    mapping(bytes32 root => Anchor) private _anchors;

    /// @notice A root was anchored.
    /// @param root the Merkle root (RFC 6962, SHA-256)
    /// @param treeSize number of leaves in the batch's tree
    /// @param anchorer the account that anchored it
    event Anchored(bytes32 indexed root, uint256 treeSize, address indexed anchorer);

    /// @notice The zero root cannot be anchored.
    error ZeroRoot();
    /// @notice A batch must have at least one leaf.
    error EmptyTree();
    /// @notice The root was anchored before, in block `blockNumber`.
    error AlreadyAnchored(bytes32 root, uint256 blockNumber);

    /// @param admin account that may grant and revoke the anchoring role
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Anchors `root`, the root of a Merkle tree of `treeSize` leaves.
    function anchor(bytes32 root, uint256 treeSize) external onlyRole(ANCHORER_ROLE) {
        if (root == bytes32(0)) revert ZeroRoot();
        if (treeSize == 0) revert EmptyTree();
        Anchor storage existing = _anchors[root];
        if (existing.blockNumber != 0) revert AlreadyAnchored(root, existing.blockNumber);
        _anchors[root] = Anchor(uint64(block.number), uint64(block.timestamp));
        emit Anchored(root, treeSize, msg.sender);
    }

    /// @notice Where `root` was anchored; zeros for a root never anchored.
    function anchoredAt(bytes32 root) external view returns (uint256 blockNumber, uint256 timestamp) {
        Anchor memory a = _anchors[root];
        return (a.blockNumber, a.timestamp);
    }
}
