/// StarconMailServer: the SMTP and IMAP listeners and their adapters to StarconCore.
/// The listeners arrive with the `smtp` and `imap` branches; this file only gives the target a first source.
public enum MailServer {}
