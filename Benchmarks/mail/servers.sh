#!/usr/bin/env bash
# Throwaway Dovecot (IMAP) and Postfix (SMTP submission) instances for the mail benchmark.
# Installs nothing: expects Debian's packages (`apt-get install dovecot-imapd postfix`).
#
#   servers.sh start DIR IMAP_PORT SMTP_PORT PASSWORD DOMAIN USER [USER...]   (every user has PASSWORD)
#   servers.sh stop DIR
#
# Everything of both instances lives in DIR (config, run sockets, logs, mail); nothing under /etc/dovecot,
# /etc/postfix or /var/mail is used or changed, and no system-wide daemon is started.
# - Dovecot: 127.0.0.1:IMAP_PORT, plaintext LOGIN allowed (loopback, as Starcon's), the users in a passwd-file
#   with bcrypt (cost 10) hashes as Starcon keeps them,
#   mail in DIR/mail/USER/Maildir owned by `nobody` (Dovecot refuses root as mail user). No FTS plugin:
#   Debian's default, so SEARCH TEXT reads its cache and the messages.
# - Postfix: smtpd on 127.0.0.1:SMTP_PORT (not chrooted), AUTH through the Dovecot instance's auth socket (the
#   same passwd-file), mail for DOMAIN delivered by virtual(8) into DIR/vmail/USER/ (Maildir), so an accepted
#   submission ends as a file in a mailbox as it does in Starcon (which also files the Sent copy).
set -euo pipefail
die() { echo "servers.sh: $*" >&2; exit 1; }

start() {
  local dir=$1 imap_port=$2 smtp_port=$3 pass=$4 domain=$5 user
  shift 5
  command -v dovecot >/dev/null || die "dovecot missing: apt-get install dovecot-imapd"
  command -v postfix >/dev/null || die "postfix missing: apt-get install postfix"
  mkdir -p "$dir"/{dovecot,run,state,mail,vmail,postfix/etc,postfix/queue,postfix/data}
  chmod 755 "$dir"
  : >"$dir/dovecot/passwd"
  : >"$dir/postfix/etc/vmailbox"
  # The same password work as Starcon's: a bcrypt hash of cost 10 (BLF-CRYPT), checked on every AUTH and LOGIN
  # (Dovecot's auth cache is off by default). Plain text here made the SMTP row 20 bcrypt checks against none.
  local hash
  hash=$(doveadm pw -s BLF-CRYPT -r 10 -p "$pass") || die "doveadm pw failed"
  for user in "$@"; do
    echo "$user:$hash:65534:65534::$dir/mail/$user::" >>"$dir/dovecot/passwd"
    echo "$user@$domain $user/" >>"$dir/postfix/etc/vmailbox"
  done
  chown -R nobody:nogroup "$dir/mail" "$dir/vmail"
  cat >"$dir/dovecot/dovecot.conf" <<EOF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
instance_name = bench-$imap_port
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/dovecot/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/dovecot/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service auth {
  unix_listener $dir/postfix/queue/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF
  # Postfix: its own config directory, queue and data directory.
  local pf=$dir/postfix
  cp /etc/postfix/master.cf "$pf/etc/master.cf"
  sed -i -E 's/^smtp( +)inet .*$/127.0.0.1:'"$smtp_port"' inet n - n - - smtpd/' "$pf/etc/master.cf"
  cat >"$pf/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = bench-postfix.$domain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtpd_tls_security_level = none
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
default_process_limit = 100
virtual_mailbox_domains = $domain
virtual_mailbox_base = $dir/vmail
virtual_mailbox_maps = hash:$pf/etc/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
message_size_limit = 52428800
virtual_mailbox_limit = 0
alias_maps =
alias_database =
EOF
  postmap "$pf/etc/vmailbox"
  mkdir -p "$pf/queue/private"
  chown postfix "$pf/queue/private" "$pf/data"
  dovecot -c "$dir/dovecot/dovecot.conf"
  postfix -c "$pf/etc" set-permissions >/dev/null 2>&1 || true
  postfix -c "$pf/etc" start >/dev/null
}

stop() {
  local dir=$1
  [ -f "$dir/postfix/etc/main.cf" ] && { postfix -c "$dir/postfix/etc" stop >/dev/null 2>&1 || true; }
  [ -f "$dir/dovecot/dovecot.conf" ] && { doveadm -c "$dir/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true; }
  local i
  for i in $(seq 1 50); do [ -e "$dir/run/master.pid" ] || break; sleep 0.1; done
}

case ${1:-} in
  start) shift; [ $# -ge 6 ] || die "usage: start DIR IMAP_PORT SMTP_PORT PASSWORD DOMAIN USER [USER...]"; start "$@" ;;
  stop) shift; stop "$1" ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
