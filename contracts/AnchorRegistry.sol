// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AnchorRegistry
/// @notice Records the block in which each Merkle root of evidence was anchored, and the latest
///         checkpoint of each append-only log anchored here.
/// @dev `anchor` records a root of its own (one tree per batch); `anchorCheckpoint` records the
///      log's root at a tree size, which must grow with each checkpoint of that log, so the chain
///      holds one history per log that can only be extended. A log is named by its `logId` (the
///      SHA-256 of its checkpoint key: key name, 0x0A, 0x01, Ed25519 public key), so that several
///      logs may share one registry. Both are answered by `anchoredAt`, the stable
///      interface third-party verifiers call, and both emit `Anchored`.
contract AnchorRegistry is AccessControl {
    /// @notice Role allowed to anchor roots.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @dev Both values fit one storage slot, so an anchor costs one cold SSTORE.
    struct Anchor {
        uint64 blockNumber;
        uint64 timestamp;
    }

    mapping(bytes32 root => Anchor) private _anchors;

    /// @dev Each log's checkpoints by tree size, and its latest one's size.
    mapping(bytes32 logId => mapping(uint256 treeSize => bytes32 root)) private _checkpoints;
    mapping(bytes32 logId => uint256 treeSize) private _latestTreeSize;

    /// @notice A root was anchored.
    /// @param root the Merkle root (RFC 6962, SHA-256)
    /// @param treeSize number of leaves in the batch's tree
    /// @param anchorer the account that anchored it
    event Anchored(bytes32 indexed root, uint256 treeSize, address indexed anchorer);

    /// @notice A checkpoint of log `logId` was anchored (besides `Anchored` for its root).
    /// @param logId the log
    /// @param treeSize the log's size at the checkpoint
    /// @param root the log's root hash (RFC 6962 MTH) at that size
    event CheckpointAnchored(bytes32 indexed logId, uint256 indexed treeSize, bytes32 root);

    /// @notice The zero root cannot be anchored.
    error ZeroRoot();
    /// @notice A batch must have at least one leaf.
    error EmptyTree();
    /// @notice The root was anchored before, in block `blockNumber`.
    error AlreadyAnchored(bytes32 root, uint256 blockNumber);

    /// @notice A checkpoint must be of a larger log than the latest anchored one of that log, of size `latest`.
    error TreeSizeNotGrowing(uint256 treeSize, uint256 latest);

    /// @param admin account that may grant and revoke the anchoring role
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Anchors `root`, the root of a Merkle tree of `treeSize` leaves.
    function anchor(bytes32 root, uint256 treeSize) external onlyRole(ANCHORER_ROLE) {
        _record(root, treeSize);
    }

    /// @notice Anchors a checkpoint of log `logId`: its root `root` at `treeSize` leaves. The size
    ///         must be larger than that log's latest checkpoint's, which this one replaces as the latest.
    function anchorCheckpoint(bytes32 logId, bytes32 root, uint256 treeSize) external onlyRole(ANCHORER_ROLE) {
        uint256 latest = _latestTreeSize[logId];
        if (treeSize <= latest) revert TreeSizeNotGrowing(treeSize, latest);
        _record(root, treeSize);
        _checkpoints[logId][treeSize] = root;
        _latestTreeSize[logId] = treeSize;
        emit CheckpointAnchored(logId, treeSize, root);
    }

    /// @notice The latest anchored checkpoint of log `logId`; zeros before its first.
    function latestCheckpoint(bytes32 logId) external view returns (uint256 treeSize, bytes32 root) {
        uint256 size = _latestTreeSize[logId];
        return (size, _checkpoints[logId][size]);
    }

    /// @notice The root anchored as log `logId`'s checkpoint at `treeSize`; zero if none was.
    function checkpointRoot(bytes32 logId, uint256 treeSize) external view returns (bytes32 root) {
        return _checkpoints[logId][treeSize];
    }

    /// @notice Where `root` was anchored; zeros for a root never anchored.
    function anchoredAt(bytes32 root) external view returns (uint256 blockNumber, uint256 timestamp) {
        Anchor memory a = _anchors[root];
        return (a.blockNumber, a.timestamp);
    }

    function _record(bytes32 root, uint256 treeSize) private {
        if (root == bytes32(0)) revert ZeroRoot();
        if (treeSize == 0) revert EmptyTree();
        Anchor storage existing = _anchors[root];
        if (existing.blockNumber != 0) revert AlreadyAnchored(root, existing.blockNumber);
        _anchors[root] = Anchor(uint64(block.number), uint64(block.timestamp));
        emit Anchored(root, treeSize, msg.sender);
    }
}
