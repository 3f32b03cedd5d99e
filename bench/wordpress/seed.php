<?php
/*
 * The reference WordPress site's content, for bench/wordpress/setup.sh:
 *
 *   php seed.php SITE_URL ADMIN_EMAIL < article.json
 *
 * installs WordPress if its tables are not there yet, sets the options the bench relies
 * on (pretty permalinks; threaded comments five levels deep and all on one page, as
 * WordPress ships them), and creates the bench article with 100 approved comments,
 * threaded as bench_site.py threads ours. article.json is what seed_article.py prints.
 * Running it again changes nothing that is already right. Prints the article's URL.
 */

const COMMENTS = 100;
const LEVELS = 4;

[$site_url, $admin_email] = [rtrim($argv[1], '/'), $argv[2]];
$article = json_decode(stream_get_contents(STDIN), true, 8, JSON_THROW_ON_ERROR);

// Debian's wp-config.php picks /etc/wordpress/config-<host>.php from the Host header;
// nginx is what WordPress sees at run time, so it is what it should see here (pretty
// permalinks count as supported then).
$_SERVER['HTTP_HOST'] = parse_url($site_url, PHP_URL_HOST);
$_SERVER['SERVER_SOFTWARE'] = 'nginx';
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

if (!is_blog_installed()) {
    // A random password nobody needs: the bench only reads public pages.
    wp_install('Broadsheet bench (WordPress reference)', 'bench', $admin_email, true, '',
        wp_generate_password(24));
}
update_option('siteurl', $site_url);
update_option('home', $site_url);
update_option('thread_comments', 1);
update_option('thread_comments_depth', 5);
update_option('page_comments', 0);
update_option('comment_order', 'asc');

global $wp_rewrite;
if (get_option('permalink_structure') !== '/%year%/%monthnum%/%postname%/') {
    $wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
}
flush_rewrite_rules(false);

$slug = sanitize_title($article['title']);
$post = get_page_by_path($slug, OBJECT, 'post');
$fields = [
    'post_title' => $article['title'],
    'post_name' => $slug,
    'post_content' => $article['content'],
    'post_status' => 'publish',
    'post_type' => 'post',
    'post_author' => 1,
    'comment_status' => 'open',
];
if ($post === null) {
    $post_id = wp_insert_post(wp_slash($fields), true);
} elseif ($post->post_title !== $fields['post_title'] || $post->post_content !== $fields['post_content']) {
    $post_id = wp_update_post(wp_slash(['ID' => $post->ID] + $fields), true);
} else {
    $post_id = $post->ID;
}
if (is_wp_error($post_id)) {
    fwrite(STDERR, 'the article could not be saved: ' . $post_id->get_error_message() . "\n");
    exit(1);
}

// 100 approved comments: a quarter at the top, each later quarter replying to the one
// before (four levels), as bench_site.py's _seed_comments does with our 200.
$comments = get_comments(['post_id' => $post_id, 'status' => 'all', 'fields' => 'ids']);
if (count($comments) !== COMMENTS) {
    foreach ($comments as $comment_id) {
        wp_delete_comment($comment_id, true);
    }
    $parents = [0];
    $made = 0;
    $start = time() - COMMENTS * 60;
    for ($level = 0; $level < LEVELS; $level++) {
        $batch = [];
        for ($n = 0; $n < COMMENTS / LEVELS; $n++) {
            $number = $made + $n;
            $batch[] = wp_insert_comment([
                'comment_post_ID' => $post_id,
                'comment_parent' => $parents[$n % count($parents)],
                'comment_author' => "Reader $number",
                'comment_author_email' => "reader$number@example.org",
                'comment_author_IP' => '127.0.0.1',
                'comment_content' => "Comment $number: a considered reply about the article.",
                'comment_approved' => 1,
                'comment_type' => 'comment',
                'comment_date' => gmdate('Y-m-d H:i:s', $start + $number * 60),
                'comment_date_gmt' => gmdate('Y-m-d H:i:s', $start + $number * 60),
            ]);
        }
        $parents = $batch;
        $made += count($batch);
    }
}
wp_update_comment_count_now($post_id);

echo get_permalink($post_id), "\n";
