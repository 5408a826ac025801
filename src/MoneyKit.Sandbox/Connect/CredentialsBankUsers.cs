using MoneyKit.Sandbox.Api;

namespace MoneyKit.Sandbox.Connect;

/// <summary>
/// The Credentials Bank test users of MoneyKit's sandbox. A user is named by username + password run together
/// (<c>user_good</c> + <c>pass_good</c> = <c>user_goodpass_good</c>); the combined name as username with any password also works.
/// </summary>
internal static class CredentialsBankUsers
{
    private static readonly string[] Users =
    [
        "user_goodpass_good", "user_goodmfa_device", "user_goodmfa_question", "user_goodmfa_selections", "user_1pass_good", "user_2pass_good",
    ];

    public static string? Resolve(string username, string password) =>
        Users.FirstOrDefault(u => u == username + password) ?? Users.FirstOrDefault(u => u == username && password.Length > 0);

    /// <summary>The MFA challenge of a user, or null when the user logs straight in.</summary>
    public static MfaWire? Challenge(string user) => user switch
    {
        "user_goodmfa_device" => new("otp", [new MfaQuestionWire("otp", "Enter the code sent to your device. (Sandbox: the code is 1234.)", null)]),
        "user_goodmfa_question" => new("questions",
        [
            new MfaQuestionWire("q1", "What is the first word? (Sandbox: answer Hello)", null),
            new MfaQuestionWire("q2", "What is the second word? (Sandbox: answer World)", null),
        ]),
        "user_goodmfa_selections" => new("selection", [new MfaQuestionWire("s1", "What is your favourite colour? (Sandbox: choose Blue)", ["Red", "Green", "Blue"])]),
        _ => null,
    };

    public static bool Accepts(string user, IReadOnlyList<string> answers) => user switch
    {
        "user_goodmfa_device" => answers is ["1234"],
        "user_goodmfa_question" => answers is ["Hello", "World"],
        "user_goodmfa_selections" => answers is ["Blue"],
        _ => false,
    };
}
