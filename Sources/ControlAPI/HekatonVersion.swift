/// The version of Hekaton's daemon, control tool and control API.
public enum HekatonVersion {
    public static let current = "0.1.0"
    /// The path prefix of the control API served on the Unix socket.
    public static let apiPrefix = "/v1"
}
